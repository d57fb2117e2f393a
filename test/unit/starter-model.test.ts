/**
 * The starter model (issue 16) on a real engine: a fresh data home classifies out of the box with
 * the model shipped in resources/starter-model and says so (CLI `classify --json`, `info --json`,
 * `model:current`); a finished run replaces it; deleting runs hands "current" to the next newest
 * run and, once none is left, back to the starter; an import replaces it as well. Small on purpose: one 1-epoch run on 2,000
 * images, the rest is CLI start-up.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import type { EngineEvent } from '#shared/engine-protocol'
import type { EngineInfo } from '#shared/protocol/info'
import type { ClassifyJsonLine } from '../../src/cli/commands/classify'
import { runCli } from '../helpers/cli'
import { startEngine, trainToDone } from '../helpers/engine'
import { formatFixtures, writeFixtures } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const SHIPPED = join(ROOT, 'resources', 'starter-model')
const shippedAccuracy = (): number =>
  JSON.parse(readFileSync(join(SHIPPED, 'starter.json'), 'utf8')).testAccuracyFloat16

// The shipped starter is found where a checkout keeps it: no variable pointing elsewhere.
const NO_OVERRIDE = { DIGIT_STUDIO_STARTER_MODEL: undefined }

let files: string
let home: string
let engine: EngineClient | null = null

const cli = (args: string[]) => runCli(args, { DIGIT_STUDIO_HOME: home, ...NO_OVERRIDE })
const info = async (): Promise<EngineInfo> => {
  const r = await cli(['info', '--json'])
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout) as EngineInfo
}
async function classifySeven(): Promise<Extract<ClassifyJsonLine, { digits: string }>> {
  const r = await cli(['classify', '--json', join(files, 'single.png')])
  expect(r.code, r.stderr).toBe(0)
  const line = JSON.parse(r.stdout.trim()) as ClassifyJsonLine
  if (!('digits' in line)) throw new Error(`classify failed: ${line.error.message}`)
  expect(line.digits).toBe('7')
  return line
}

beforeAll(async () => {
  files = mkdtempSync(join(tmpdir(), 'ds-starter-files-'))
  writeFixtures(
    files,
    (await formatFixtures()).fixtures.filter((f) => f.name === 'single.png')
  )
  home = mkdtempSync(join(tmpdir(), 'ds-starter-home-'))
}, 120_000)
afterAll(async () => {
  await engine?.dispose()
})

describe('the starter model', () => {
  it('a fresh data home reads a digit with it and names it (classify --json, info --json)', async () => {
    const line = await classifySeven()
    expect(line.model).toEqual({ source: 'starter', dir: SHIPPED })
    const { model } = await info()
    expect(model).toEqual({ source: 'starter', dir: SHIPPED, testAccuracy: shippedAccuracy() })
    // The human header says it too.
    const r = await cli(['classify', join(files, 'single.png')])
    expect(r.stderr).toMatch(/Model: +starter model shipped with the app.*: .*starter-model/)
  })

  it('a finished run replaces it; deleting runs goes to the next newest, then back to the starter', async () => {
    engine = await startEngine({ DIGIT_STUDIO_HOME: home, ...NO_OVERRIDE })
    const before = await engine.request('model:current', {})
    expect(before?.source).toBe('starter')
    expect(before?.starter?.testAccuracy).toBe(shippedAccuracy())
    expect(before?.metadata?.testAccuracy).toBe(shippedAccuracy())

    const { done } = await trainToDone(engine, {
      preset: 'fast',
      epochs: 1,
      trainLimit: 2000,
      testLimit: 500,
      validationSplit: 0
    })
    const trained = await engine.request('model:current', {})
    expect(trained).toMatchObject({ source: 'trained', metadata: { runId: done.runId } })
    expect(trained?.starter).toBeUndefined()
    // Another process (the CLI beside the app) finds the run's model too.
    expect((await info()).model).toMatchObject({
      source: 'trained',
      dir: join(home, 'models', 'last'),
      testAccuracy: done.testAccuracy
    })
    expect((await classifySeven()).model.source).toBe('trained')

    // An older run with a model of its own (a copy under an earlier id) is next in line.
    const older = '20000101-000000-0000'
    cpSync(join(home, 'runs', done.runId), join(home, 'runs', older), { recursive: true })
    const changed: EngineEvent[] = []
    const off = engine.onEvent((e) => e.type === 'model:changed' && changed.push(e))
    expect(await engine.request('runs:delete', { id: done.runId })).toEqual({ deleted: true })
    expect(existsSync(join(home, 'models', 'last'))).toBe(false)
    expect(changed.at(-1)).toMatchObject({
      model: { source: 'trained', modelDir: join(home, 'runs', older, 'model') }
    })

    await engine.request('runs:delete', { id: older })
    off()
    expect(changed.at(-1)).toMatchObject({ model: { source: 'starter', modelDir: SHIPPED } })
    expect((await engine.request('model:current', {}))?.source).toBe('starter')
    expect((await classifySeven()).model).toEqual({ source: 'starter', dir: SHIPPED })

    // Importing a model replaces it too.
    const imported = await engine.request('model:import', { path: await ensureTestModel() })
    expect(imported.source).toBe('imported')
    const seven = (await formatFixtures()).fixtures.find((f) => f.name === 'single.png')!
    const read = await engine.request('classify:images', {
      files: [{ name: seven.name, bytes: seven.bytes }],
      options: { pictures: false }
    })
    expect(read.modelSource).toBe('imported')
    expect(read.modelDir).toBe(imported.modelDir)
  }, 300_000)
})

describe('where the engine looks for it', () => {
  it('DIGIT_STUDIO_STARTER_MODEL wins (empty: none), else resources/starter-model of the checkout', async () => {
    const { starterModelDir } = await import('#engine/store/starter-model')
    expect(
      starterModelDir({ DIGIT_STUDIO_STARTER_MODEL: '/opt/app/resources/starter-model' })
    ).toBe('/opt/app/resources/starter-model')
    expect(starterModelDir({ DIGIT_STUDIO_STARTER_MODEL: '' })).toBeNull()
    expect(starterModelDir({})).toBe(SHIPPED)
  })
})
