import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import type { ClassifyJsonLine } from '../../src/cli/commands/classify'
import { badFixtures, formatFixtures, writeFixtures, type Fixture } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'

const cli = runCli

let modelDir: string
let dir: string
let good: Fixture[]
let bad: Fixture[]

beforeAll(async () => {
  modelDir = await ensureTestModel()
  dir = mkdtempSync(join(tmpdir(), 'digit-studio-classify-cli-'))
  good = (await formatFixtures()).fixtures
  bad = await badFixtures()
  writeFixtures(dir, [...good, ...bad])
}, 300_000)

describe('digit-studio classify', () => {
  it('--json: one parseable line per file, digits for good files, errors for bad ones, exit 1', async () => {
    const files = [...good, ...bad].map((f) => join(dir, f.name))
    const missing = join(dir, 'does-not-exist.png')
    const r = await cli(['classify', '--json', '--model', modelDir, ...files, missing])
    expect(r.code).toBe(1)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ClassifyJsonLine)
    expect(lines.map((l) => l.file)).toEqual([...files, missing])
    for (const f of good) {
      const line = lines.find((l) => l.file === join(dir, f.name))!
      expect(line).toMatchObject({ digits: f.expected })
      if ('predictions' in line) {
        expect(line.predictions.length).toBe(f.expected!.replace(/ /g, '').length)
        for (const p of line.predictions) {
          expect(p.label).toBeGreaterThanOrEqual(0)
          expect(p.confidence).toBeGreaterThan(0)
          expect(p.box).toHaveLength(4)
          expect(p.line).toBe(1) // every fixture page holds one line of digits
        }
      }
    }
    for (const f of bad) {
      const line = lines.find((l) => l.file === join(dir, f.name))!
      expect('error' in line && line.error.message).toContain(join(dir, f.name))
    }
    expect(lines.at(-1)).toMatchObject({
      error: { code: 'FILE_UNREADABLE', message: expect.stringContaining('no such file') }
    })
  })

  it('--json on a multi-page PDF: every page read, each prediction with its 1-based page', async () => {
    const pdf = good.find((f) => f.name === 'pages.pdf')!
    const r = await cli(['classify', '--json', '--model', modelDir, join(dir, pdf.name)])
    expect(r.code).toBe(0)
    const line = JSON.parse(r.stdout.trim()) as Extract<ClassifyJsonLine, { digits: string }>
    expect(line.digits).toBe(pdf.expected)
    const perPage = pdf.expected!.split(' ')
    const pages = line.predictions.map((p) => p.page)
    expect(pages).toEqual(perPage.flatMap((digits, i) => [...digits].map(() => i + 1)))
  })

  it('human output and exit 0 when every file is read', async () => {
    const r = await cli([
      'classify',
      '--model',
      modelDir,
      join(dir, 'strip.jpg'),
      join(dir, 'single.png')
    ])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`${join(dir, 'strip.jpg')}: 2104`)
    expect(r.stdout).toContain(`${join(dir, 'single.png')}: 7`)
  })

  it('without any trained model (and no starter model) it says how to train one', async () => {
    const home = mkdtempSync(join(tmpdir(), 'digit-studio-empty-home-'))
    const r = await cli(['classify', join(dir, 'single.png')], {
      DIGIT_STUDIO_HOME: home,
      DIGIT_STUDIO_STARTER_MODEL: ''
    })
    expect(r.code).not.toBe(0)
    expect(r.stderr).toMatch(/NO_MODEL/)
    expect(r.stderr).toMatch(/digit-studio train/)
  })
})
