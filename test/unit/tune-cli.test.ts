// `digit-studio tune` end to end on the real engine (issue 14): --json lines, a study killed with
// SIGKILL resumes without redoing its finished trials, and seeded random studies repeat.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, runCli } from '../helpers/cli'
import { engineBackendEnv } from '../helpers/engine'
import { waitGone } from '../helpers/processes'

let home: string
let spaceFile: string
const env = (): NodeJS.ProcessEnv => ({ DIGIT_STUDIO_HOME: home, ...engineBackendEnv() })
// Tiny: 6 configurations, 1 epoch over 300 images each, judged on 200.
const TINY = ['--preset', 'fast', '--train-limit', '300', '--validation-images', '200', '--json']

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-tune-'))
  spaceFile = join(home, 'space.json')
  await writeFile(
    spaceFile,
    JSON.stringify({
      learningRate: { values: [1e-3, 4e-3, 1e-2] },
      batchSize: { values: [32, 64] }
    })
  )
})
afterAll(() => rm(home, { recursive: true, force: true }))

type Line = { type: string; trial?: number; params?: unknown; pruned?: boolean; trials?: number }
const lines = (stdout: string): Line[] =>
  stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line)

describe('digit-studio tune', () => {
  it('resumes a study killed mid-way without redoing its finished trials', async () => {
    const dir = join(home, 'killed')
    const args = ['tune', ...TINY, '--strategy', 'grid', '--space', spaceFile, '--study', dir]
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env() } })
    let out = ''
    const twoTrials = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk
        if (lines(out).filter((l) => l.type === 'trial').length >= 2) resolve()
      })
      child.on('close', () => reject(new Error(`tune ended before two trials:\n${out}`)))
    })
    await twoTrials
    child.kill('SIGKILL')
    const first = lines(out).filter((l) => l.type === 'trial')
    // The engine notices its parent is gone and exits; its lock is then stale and taken over.
    const lock = JSON.parse(await readFile(join(dir, 'lock.json'), 'utf8')) as { pid: number }
    expect(await waitGone(lock.pid, 20_000)).toBe(true)
    // What a study killed mid-write leaves: a trial record's temp file, named after its dead
    // writer (made here for certain; a real kill leaves one only when it lands mid-write).
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!
    await writeFile(join(dir, 'trials', `.trial-003.json.tmp-${deadPid}-00c0ffee`), '{"tri')

    const resumed = await runCli(args, env())
    expect(resumed.stderr).not.toMatch(/BUSY|locked/)
    expect(resumed.code).toBe(0)
    const again = lines(resumed.stdout)
    const done = again.at(-1)!
    expect(done.type).toBe('study-done')
    expect(done.trials).toBe(6)
    const redone = again.filter((l) => l.type === 'trial' && first.some((f) => f.trial === l.trial))
    expect(redone).toEqual([])
    expect(again.filter((l) => l.type === 'trial').length + first.length).toBeGreaterThanOrEqual(6)
    expect((await readdir(join(dir, 'trials'))).sort()).toEqual(
      [1, 2, 3, 4, 5, 6].map((n) => `trial-00${n}.json`)
    )
  }, 300_000)

  it('draws the same random trials from the same seed', async () => {
    const run = async (name: string) => {
      const r = await runCli(
        [
          'tune',
          ...TINY,
          '--strategy',
          'random',
          '--trials',
          '2',
          '--seed',
          '5',
          '--study',
          join(home, name)
        ],
        env()
      )
      expect(r.code, r.stderr).toBe(0)
      return lines(r.stdout)
        .filter((l) => l.type === 'trial')
        .map((l) => l.params)
    }
    const a = await run('random-a')
    expect(a).toHaveLength(2)
    expect(await run('random-b')).toEqual(a)
  }, 300_000)

  it('successive halving prunes all but the best third and picks the best from the last rung', async () => {
    const r = await runCli(
      [
        'tune',
        ...TINY,
        '--strategy',
        'halving',
        '--space',
        spaceFile,
        '--trials',
        '3',
        '--study',
        join(home, 'halving')
      ],
      env()
    )
    expect(r.code, r.stderr).toBe(0)
    const all = lines(r.stdout)
    const trials = all.filter((l) => l.type === 'trial')
    expect(trials).toHaveLength(3)
    // 3 configurations: rung 0 on a third of the images, then the best one on all of them.
    expect(trials.filter((t) => t.pruned)).toHaveLength(2)
    const survivor = trials.find((t) => !t.pruned)!
    const done = all.at(-1) as Line & { best: { trial: number }; imagesProcessed: number }
    expect(done.best.trial).toBe(survivor.trial)
    expect(done.imagesProcessed).toBe(3 * 100 + 300)
  }, 300_000)

  it("--model-spec: a study over the user's own architecture and a saved one", async () => {
    // The study's base is a Keras JSON file; the space also chooses a saved named architecture.
    const mine = join(home, 'mine.json')
    const layers = (filters: number) => [
      { class_name: 'Conv2D', config: { filters, kernel_size: 3, strides: 2, activation: 'relu' } },
      { class_name: 'GlobalAveragePooling2D', config: {} }
    ]
    const keras = (name: string, filters: number) =>
      JSON.stringify({ class_name: 'Sequential', config: { name, layers: layers(filters) } })
    await writeFile(mine, keras('mine', 4))
    const other = join(home, 'other.json')
    await writeFile(other, keras('other', 6))
    expect((await runCli(['model', '--model-spec', other, '--save', 'other'], env())).code).toBe(0)
    const space = join(home, 'arch-space.json')
    await writeFile(space, JSON.stringify({ architecture: { values: ['mine', 'other'] } }))
    const dir = join(home, 'own')
    const r = await runCli(
      [
        'tune',
        ...TINY,
        '--model-spec',
        mine,
        '--strategy',
        'grid',
        '--space',
        space,
        '--study',
        dir
      ],
      env()
    )
    expect(r.code, r.stderr).toBe(0)
    const trials = lines(r.stdout).filter((l) => l.type === 'trial')
    expect(trials.map((t) => (t.params as { architecture: string }).architecture)).toEqual([
      'mine',
      'other'
    ])
    const study = JSON.parse(await readFile(join(dir, 'study.json'), 'utf8'))
    expect(study.modelSpec.name).toBe('mine')
    // One finished record per trial, kept in the study folder.
    const records = await Promise.all(
      (await readdir(join(dir, 'trials'))).map(async (f) =>
        JSON.parse(await readFile(join(dir, 'trials', f), 'utf8'))
      )
    )
    expect(records).toHaveLength(2)
    const bad = await runCli(['tune', ...TINY, '--model-spec', 'nope', '--strategy', 'grid'], env())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/no architecture named "nope"/)
  }, 300_000)

  it('refuses a bad space file, naming the file and the field', async () => {
    const bad = join(home, 'bad.json')
    await writeFile(bad, JSON.stringify({ epochs: { values: [500] } }))
    const r = await runCli(['tune', '--strategy', 'grid', '--space', bad], env())
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/bad\.json: epochs\.values\.0: .*<=200/)
  })
})
