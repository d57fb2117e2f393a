import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers/cli'
import { engineBackendEnv, expectedBackendKind } from '../helpers/engine'
import { viridis } from '#shared/colormap'
import type { ExplainJsonLine } from '../../src/cli/commands/explain'
import { badFixtures, formatFixtures, writeFixtures } from '../fixtures/scans'
import { ensureExplainModel } from '../fixtures/explain-model'

// The real bin, the real engine in its own process on the test backend, the classify fixtures.

const cli = (args: string[]): Promise<CliResult> => runCli(args, engineBackendEnv())

let modelDir: string
let dir: string

beforeAll(async () => {
  modelDir = await ensureExplainModel()
  dir = mkdtempSync(join(tmpdir(), 'digit-studio-explain-cli-'))
  const good = (await formatFixtures()).fixtures.filter((f) =>
    ['single.png', 'strip.jpg'].includes(f.name)
  )
  const bad = (await badFixtures()).filter((f) => ['notes.png', 'blank.png'].includes(f.name))
  writeFixtures(dir, [...good, ...bad])
}, 600_000)

const lines = (stdout: string): ExplainJsonLine[] =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ExplainJsonLine)

describe('digit-studio explain', () => {
  it('--json: one line per digit with a 28x28 map and input, errors per file, exit 1', async () => {
    const files = ['single.png', 'strip.jpg', 'notes.png', 'blank.png'].map((f) => join(dir, f))
    const r = await cli(['explain', '--json', '--model', modelDir, ...files])
    expect(r.code).toBe(1)
    const out = lines(r.stdout)
    const digits = out.filter((l) => 'saliency' in l)
    // single.png holds a 7; strip.jpg the test digits 1-4 (2, 1, 0, 4).
    expect(
      digits.map((d) => ('label' in d ? `${d.file.split('/').pop()}#${d.index}` : ''))
    ).toEqual(['single.png#0', 'strip.jpg#0', 'strip.jpg#1', 'strip.jpg#2', 'strip.jpg#3'])
    expect(digits.map((d) => ('label' in d ? d.label : -1))).toEqual([7, 2, 1, 0, 4])
    for (const d of digits) {
      if (!('saliency' in d)) continue
      expect(d).toMatchObject({ method: 'smoothgrad', target: d.label })
      expect(d.saliency).toHaveLength(28)
      expect(d.saliency.every((row) => row.length === 28)).toBe(true)
      expect(d.input.flat().every((p) => p >= 0 && p <= 1)).toBe(true)
      expect(d.layers.map((l) => l.shape)).toEqual([[26, 26, 32], [11, 11, 64], [128]])
      expect(d.saliency.flat().some((s) => s !== 0)).toBe(true)
    }
    const errors = out.filter((l) => 'error' in l)
    expect(errors.map((e) => e.file)).toEqual([join(dir, 'notes.png'), join(dir, 'blank.png')])
    for (const e of errors) if ('error' in e) expect(e.error.message).toContain(e.file)
  })

  it('--target, --method ig and --out: a heatmap PNG per digit, colours from viridis', async () => {
    const out = join(dir, 'maps')
    const r = await cli([
      'explain',
      '--json',
      '--model',
      modelDir,
      '--target',
      '1',
      '--method',
      'ig',
      '--out',
      out,
      join(dir, 'single.png')
    ])
    expect(r.code).toBe(0)
    const [line] = lines(r.stdout)
    expect(line).toMatchObject({
      label: 7,
      target: 1,
      method: 'ig',
      png: join(out, 'single-0.png')
    })
    const png = PNG.sync.read(readFileSync(join(out, 'single-0.png')))
    expect(png.width).toBe(280)
    // The legend's right end is viridis(1).
    const o = ((png.height - 1) * png.width + png.width - 1) * 4
    expect(Array.from(png.data.subarray(o, o + 3))).toEqual(viridis(1))
    // IG is zero off the ink: a black corner of the digit is viridis(0) (ink shows through as 0).
    const corner = Array.from(png.data.subarray(0, 3))
    expect(corner).toEqual(viridis(0).map((c) => Math.round(c * 0.65)))
  })

  it('human output; bad --method and --target are refused by name', async () => {
    const r = await cli(['explain', '--model', modelDir, join(dir, 'single.png')])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/single\.png #0: 7 \(\d+%\), smoothgrad map of 7/)
    expect(r.stderr).toMatch(new RegExp(`^Backend: ${expectedBackendKind()} `, 'm'))
    const m = await cli(['explain', '--method', 'lime', join(dir, 'single.png')])
    expect(m.code).toBe(2)
    expect(m.stderr).toContain('--method must be one of smoothgrad, ig, occlusion, got "lime"')
    const t = await cli(['explain', '--target', '12', join(dir, 'single.png')])
    expect(t.stderr).toContain('--target must be a digit 0-9, got "12"')
  })
})
