import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expectedBackendKind, testBackend } from '../helpers/engine'

// `digit-studio train` and `bench` as a user runs them: the real bin script in a child process,
// which forks the real engine on the test backend (DIGIT_STUDIO_BACKEND, test/helpers/engine.ts).
// Output is parsed, not matched loosely.

const BIN = fileURLToPath(new URL('../../bin/digit-studio.mjs', import.meta.url))
let home: string

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-cli-'))
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs the CLI; `onLine` sees stdout lines as they come (and may signal the process group). */
function cli(args: string[], onLine?: (line: string, pid: number) => void): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // Its own process group, like a shell job, so a test can Ctrl-C the CLI and its engine together.
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DIGIT_STUDIO_HOME: home },
      detached: true
    })
    let stdout = ''
    let stderr = ''
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk
      pending += chunk
      const lines = pending.split('\n')
      pending = lines.pop()!
      for (const line of lines) onLine?.(line, child.pid!)
    })
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })
}

const TINY = [
  '--preset',
  'fast',
  '--epochs',
  '1',
  '--batch-size',
  '32',
  '--train-limit',
  '1000',
  '--test-limit',
  '200'
]

describe('digit-studio train', () => {
  it('--json prints one event per line and ends with the done summary', async () => {
    const out = join(home, 'exported')
    const run = await cli(['train', ...TINY, '--json', '--out', out])
    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(lines[0].type).toBe('training:started')
    expect(lines.some((l) => l.type === 'training:batch')).toBe(true)
    expect(lines.filter((l) => l.type === 'training:epoch')).toHaveLength(1)
    expect(lines.at(-2)!.type).toBe('training:done')
    const done = lines.at(-1)!
    expect(done).toMatchObject({
      type: 'done',
      backend: expectedBackendKind(),
      modelDir: out,
      testCount: 200
    })
    expect(done.testAccuracy).toBeGreaterThan(0.5)
    expect(done.testAccuracy).toBeLessThanOrEqual(1)
    expect(typeof done.testLoss).toBe('number')
    expect(done.samplesPerSecond).toBeGreaterThan(0)
    expect(done.peakRssBytes).toBeGreaterThan(0)
    expect(existsSync(join(out, 'model.json'))).toBe(true)
    expect(existsSync(join(home, 'models', 'last', 'weights.bin'))).toBe(true)
  })

  it('human mode prints the header, a line per epoch and the test accuracy', async () => {
    const run = await cli(['train', ...TINY])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Training preset fast: 1 epochs, batch 32/m)
    const reason =
      testBackend() === 'auto' ? '.+' : `forced by DIGIT_STUDIO_BACKEND=${testBackend()}`
    expect(run.stdout).toMatch(
      new RegExp(`^Backend: {2}${expectedBackendKind()} - ${reason}$`, 'm')
    )
    expect(run.stdout).toMatch(
      /^Dataset: {2}MNIST \(embedded\): 900 train \/ 100 validation \/ 200 test$/m
    )
    expect(run.stdout).toMatch(/^ {2}dense_Dense\d+ \(Dense\) +\[N,10\] +4,010$/m)
    expect(run.stdout).toMatch(
      /^Epoch 1\/1: loss \d\.\d{4}, accuracy [\d.]+%, val loss \d\.\d{4}, val accuracy [\d.]+%/m
    )
    expect(run.stdout).toMatch(/^Test accuracy: [\d.]+% \(loss \d\.\d{4}\) on 200 images$/m)
  })

  it('refuses bad flags with a message and exit code 2', async () => {
    const notNumber = await cli(['train', '--epochs', 'many'])
    expect(notNumber.code).toBe(2)
    expect(notNumber.stderr).toMatch(/--epochs "many" is not a number/)
    const outOfRange = await cli(['train', '--epochs', '0'])
    expect(outOfRange.code).toBe(2)
    expect(outOfRange.stderr).toMatch(/BAD_REQUEST: training:start: epochs/)
  })

  it('Ctrl-C stops the run cleanly after the current batch (exit code 130)', async () => {
    let sent = false
    const run = await cli(
      ['train', '--preset', 'seed', '--train-limit', '20000', '--json'],
      (line, pid) => {
        if (!sent && line.includes('"training:batch"')) {
          sent = true
          // To the whole process group, as a terminal does: the engine must survive it.
          process.kill(-pid, 'SIGINT')
        }
      }
    )
    expect(sent).toBe(true)
    expect(run.code).toBe(130)
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(last).toMatchObject({ type: 'training:stopped', reason: 'user' })
    expect(run.stderr).toMatch(/Stopping after the current batch/)
  })
})

describe('digit-studio bench', () => {
  it('--json ends with train and inference samples/s per preset (seed and accurate) and backend', async () => {
    const run = await cli(['bench', '--json', '--batches', '1'])
    expect(run.code).toBe(0)
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(last.type).toBe('bench')
    expect(last.machine.cores).toBeGreaterThan(0)
    expect(Object.keys(last.presets)).toEqual(['seed', 'accurate'])
    for (const preset of ['seed', 'accurate']) {
      const wasm = last.presets[preset].wasm
      expect(wasm).toMatchObject({ preset, batchSize: 128, repeat: 1 })
      expect(wasm.trainSamplesPerSecond).toBeGreaterThan(0)
      expect(wasm.inferSamplesPerSecond).toBeGreaterThan(wasm.trainSamplesPerSecond)
      expect(wasm.peakRssBytes).toBeGreaterThan(0)
      // Native is either measured or reported unavailable with the reason, never silently missing.
      const native = last.presets[preset].native
      expect(
        native.trainSamplesPerSecond > 0 || (native.available === false && native.reason.length > 0)
      ).toBe(true)
    }
    // The seed preset also times the draw pad's live Inside update.
    const seedWasm = last.presets.seed.wasm
    expect(seedWasm.drawPadUpdateMedianMs).toBeGreaterThan(0)
    expect(seedWasm.drawPadUpdateP95Ms).toBeGreaterThanOrEqual(seedWasm.drawPadUpdateMedianMs)
    // The seed figures also sit where single-preset readers look for them.
    expect(last.backends).toEqual(last.presets.seed)
  })

  it('--preset seed --repeat 3 gives min, median and max; a bad --preset is refused', async () => {
    const run = await cli([
      'bench',
      '--json',
      '--preset',
      'seed',
      '--repeat',
      '3',
      '--batches',
      '1'
    ])
    expect(run.code).toBe(0)
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(Object.keys(last.presets)).toEqual(['seed'])
    expect(last).toMatchObject({ preset: 'seed', repeat: 3 })
    const { train, infer, trainSamplesPerSecond } = last.presets.seed.wasm
    expect(train.min).toBeLessThanOrEqual(train.median)
    expect(train.median).toBeLessThanOrEqual(train.max)
    expect(train.median).toBe(trainSamplesPerSecond)
    expect(infer.min).toBeGreaterThan(0)
    const bad = await cli(['bench', '--preset', 'huge'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--preset "huge" is not one of seed, accurate, all/)
  })

  it('--backend measures that backend only (what the PyTorch peer ratio runs); a bad one is refused', async () => {
    const run = await cli([
      'bench',
      '--json',
      '--preset',
      'seed',
      '--backend',
      'wasm',
      '--batches',
      '1'
    ])
    expect(run.code).toBe(0)
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1)!)
    expect(Object.keys(last.presets.seed)).toEqual(['wasm'])
    expect(last.presets.seed.wasm.trainSamplesPerSecond).toBeGreaterThan(0)
    const bad = await cli(['bench', '--backend', 'gpu'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/--backend "gpu" is not one of native, wasm, cpu/)
  })
})
