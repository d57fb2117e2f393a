// RELIABILITY T4: the CLI ends its engine on SIGINT, SIGTERM and every exit path. The real bin
// runs in a child process (its own process group, like a shell job); the engine is found as its
// child in /proc and must be gone after the signal, even while a decode is stuck (I6).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { hangingGif } from '../fixtures/hostile'
import { ensureTestModel } from '../fixtures/test-model'
import { childPids, isRunning, waitGone } from '../helpers/processes'

const BIN = fileURLToPath(new URL('../../bin/digit-studio.mjs', import.meta.url))
let home: string
let modelDir: string
let loopGif: string
/** Engines seen during a test: killed afterwards whatever happened, so none is left spinning. */
const engines: number[] = []

beforeAll(async () => {
  modelDir = await ensureTestModel()
  home = await mkdtemp(join(tmpdir(), 'ds-signals-'))
  loopGif = join(home, 'loop.gif')
  await writeFile(loopGif, hangingGif())
}, 300_000)
afterEach(() => {
  for (const pid of engines.splice(0)) if (isRunning(pid)) process.kill(pid, 'SIGKILL')
})
afterAll(() => rm(home, { recursive: true, force: true }))

interface Started {
  child: ChildProcessWithoutNullStreams
  exit: Promise<number | null>
  /** Resolves with the first output line (stdout or stderr) matching `re`. */
  waitFor(re: RegExp): Promise<string>
}

function start(args: string[]): Started {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_BACKEND: 'wasm' },
    detached: true
  })
  let seen = ''
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = []
  const onData = (chunk: Buffer): void => {
    seen += chunk
    for (const w of waiters.splice(0)) {
      const line = seen.split('\n').find((l) => w.re.test(l))
      if (line) w.resolve(line)
      else waiters.push(w)
    }
  }
  child.stdout.on('data', onData)
  child.stderr.on('data', onData)
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  return {
    child,
    exit,
    waitFor: (re) =>
      new Promise((resolve, reject) => {
        const line = seen.split('\n').find((l) => re.test(l))
        if (line) return resolve(line)
        waiters.push({ re, resolve })
        void exit.then(() => reject(new Error(`CLI exited before ${re}:\n${seen}`)))
      })
  }
}

/** The engine the CLI forked: its only child running the engine entry (esbuild may be another). */
function engineOf(cli: number): number {
  const kids = childPids(cli).filter((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('engine/worker.ts')
  )
  expect(kids).toHaveLength(1)
  engines.push(kids[0])
  return kids[0]
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

describe('the CLI never leaves its engine behind (T4)', () => {
  it('Ctrl-C during a stuck decode: exit 130, the engine is gone', async () => {
    const run = start(['classify', loopGif, '--model', modelDir])
    await run.waitFor(/^Backend:/)
    const engine = engineOf(run.child.pid!)
    // The file is now in the decoder, which loops; Ctrl-C reaches the whole group, as a terminal's.
    await sleep(800)
    const sent = performance.now()
    process.kill(-run.child.pid!, 'SIGINT')
    expect(await run.exit).toBe(130)
    expect(await waitGone(engine, 3000)).toBe(true)
    // Well before the decode budget (5 s) would have ended the decode on its own.
    expect(performance.now() - sent).toBeLessThan(4000)
  }, 60_000)

  it('SIGTERM to the CLI alone during a classify: exit 143, the engine is gone', async () => {
    const run = start(['classify', loopGif, '--model', modelDir])
    await run.waitFor(/^Backend:/)
    const engine = engineOf(run.child.pid!)
    await sleep(500)
    run.child.kill('SIGTERM')
    expect(await run.exit).toBe(143)
    expect(await waitGone(engine, 3000)).toBe(true)
  }, 60_000)

  const TRAIN = ['train', '--preset', 'seed', '--train-limit', '20000', '--json']

  it('SIGTERM to the CLI alone during training: exit 143, the engine is gone', async () => {
    const run = start(TRAIN)
    await run.waitFor(/"training:batch"/)
    const engine = engineOf(run.child.pid!)
    run.child.kill('SIGTERM')
    expect(await run.exit).toBe(143)
    expect(await waitGone(engine, 3000)).toBe(true)
  }, 120_000)

  it('Ctrl-C twice during training: exit 130 at once, the engine is gone', async () => {
    const run = start(TRAIN)
    await run.waitFor(/"training:batch"/)
    const engine = engineOf(run.child.pid!)
    process.kill(-run.child.pid!, 'SIGINT')
    await run.waitFor(/Stopping after the current batch/)
    process.kill(-run.child.pid!, 'SIGINT')
    expect(await run.exit).toBe(130)
    expect(await waitGone(engine, 3000)).toBe(true)
  }, 120_000)
})
