/**
 * The data home through the real CLI (`bin/digit-studio.mjs`, which forks the real engine):
 * outputs never delete a user's files (RELIABILITY R1), resuming a run's checkpoint keeps the
 * run's settings (R4), a data home from a newer version is refused (R6), and a write under /proc
 * says what is wrong (R8).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, type CliResult } from '../helpers/cli'
import { tempDir } from './export-helpers'

const home = tempDir('ds-cli-home-')
let firstRun: string

/** The CLI in this file's data home, on one thread (repeatable runs). */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
  runCli(args, { DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_THREADS: '1', ...env })

const TINY = ['--preset', 'fast', '--epochs', '1', '--batch-size', '50', '--seed', '3']
const LIMITS = ['--train-limit', '300', '--test-limit', '50', '--backend', 'wasm']

function doneOf(stdout: string): { runId: string; runDir: string } {
  const done = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; runId: string; runDir: string })
    .find((e) => e.type === 'training:done')
  expect(done, stdout).toBeTruthy()
  return done!
}

const configOf = (runDir: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')) as Record<string, unknown>

beforeAll(async () => {
  const trained = await cli(['train', ...TINY, ...LIMITS, '--json'])
  expect(trained.code, trained.stderr).toBe(0)
  firstRun = doneOf(trained.stdout).runDir
}, 120_000)
afterAll(() => rm(home, { recursive: true, force: true }))

describe('outputs never delete what the user put there (RELIABILITY R1)', () => {
  it('export --format tfjs onto a folder with other files refuses, names it, keeps the files', async () => {
    const out = join(home, 'my-documents')
    mkdirSync(out)
    writeFileSync(join(out, 'notes.txt'), 'mine')
    const result = await cli(['export', '--format', 'tfjs', '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain(out)
    expect(result.stderr).toContain('notes.txt')
    expect(readdirSync(out)).toEqual(['notes.txt'])
    // An empty folder, and then that same export again, are fine.
    const fresh = join(home, 'fresh-export')
    mkdirSync(fresh)
    expect((await cli(['export', '--format', 'tfjs', '--out', fresh])).code).toBe(0)
    const again = await cli(['export', '--format', 'tfjs', '--out', fresh])
    expect(again.code, again.stderr).toBe(0)
    expect(readdirSync(fresh).sort()).toEqual(['model.json', 'weights.bin'])
  }, 60_000)

  it('train --out onto a folder with other files refuses before training, keeps the files', async () => {
    const out = join(home, 'project')
    mkdirSync(out)
    writeFileSync(join(out, 'data.csv'), '1,2,3')
    const result = await cli(['train', ...TINY, ...LIMITS, '--out', out])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain(out)
    expect(result.stdout).not.toContain('Epoch 1')
    expect(readFileSync(join(out, 'data.csv'), 'utf8')).toBe('1,2,3')
    expect(readdirSync(out)).toEqual(['data.csv'])
  }, 60_000)

  it('an export under /proc ends with what is wrong, not "the folder does not exist" (R8)', async () => {
    const result = await cli(['export', '--format', 'onnx', '--out', '/proc/nope/model.onnx'])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('does not accept new files')
    expect(result.stderr).not.toContain('does not exist')
  }, 60_000)
})

describe('resuming a run (RELIABILITY R4)', () => {
  it("--resume of a run's checkpoint with few flags trains with that run's settings", async () => {
    // No preset, batch size, seed or limits given: they must come from the run, not the defaults.
    const resumed = await cli([
      'train',
      '--resume',
      join(firstRun, 'checkpoint'),
      '--epochs',
      '2',
      '--backend',
      'wasm',
      '--json'
    ])
    expect(resumed.code, resumed.stderr).toBe(0)
    const config = configOf(doneOf(resumed.stdout).runDir)
    const { epochs: _e, resumeFrom, ...settings } = config
    const { epochs: _f, ...original } = configOf(firstRun)
    expect(settings).toEqual(original)
    expect(config.epochs).toBe(2)
    expect(resumeFrom).toBe(join(firstRun, 'checkpoint'))
  }, 120_000)

  it('a flag that contradicts the run is an error naming the flag', async () => {
    const result = await cli([
      'train',
      '--resume',
      join(firstRun, 'checkpoint'),
      '--epochs',
      '2',
      '--batch-size',
      '64'
    ])
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('--batch-size')
    expect(result.stderr).toContain('50')
  }, 60_000)

  it('starting from an exported model folder is a new run with the given flags', async () => {
    const out = join(home, 'exported-for-resume')
    expect((await cli(['export', '--format', 'tfjs', '--out', out])).code).toBe(0)
    const result = await cli([
      'train',
      '--resume',
      out,
      '--preset',
      'fast',
      '--epochs',
      '2',
      '--batch-size',
      '30',
      '--train-limit',
      '200',
      '--test-limit',
      '40',
      '--backend',
      'wasm',
      '--json'
    ])
    expect(result.code, result.stderr).toBe(0)
    const config = configOf(doneOf(result.stdout).runDir)
    expect(config).toMatchObject({ batchSize: 30, trainLimit: 200, testLimit: 40, seed: 42 })
  }, 120_000)
})

describe('data home format version (RELIABILITY R6)', () => {
  it('records version 1 in a home that had no file, and refuses a newer one naming the file', async () => {
    const file = join(home, 'digit-studio-home.json')
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ formatVersion: 1 })
    const newer = tempDir('ds-newer-home-')
    writeFileSync(join(newer, 'digit-studio-home.json'), JSON.stringify({ formatVersion: 7 }))
    const result = await cli(['runs', 'list'], { DIGIT_STUDIO_HOME: newer })
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain(join(newer, 'digit-studio-home.json'))
    expect(result.stderr).toContain('format version 7')
    expect(result.stderr).toContain('format version 1')
    await rm(newer, { recursive: true, force: true })
  }, 60_000)
})
