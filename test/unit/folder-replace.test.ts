/**
 * RELIABILITY R1, R2, R8: a folder is replaced only when it is empty or holds what we would write
 * (and, for models, a model Digit Studio wrote); a folder swap cut at any step is restored by the
 * data-home sweep, inside run folders too; a write under /proc says what is wrong.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { writeDirAtomic, type SwapStep } from '#engine/store/atomic-write'
import { sweepDataHome } from '#engine/store/data-home'
import { fileSaver } from '#engine/store/model-io'
import { describeWriteError } from '#engine/store/write-errors'
import { tempDir } from './export-helpers'

const root = tempDir('ds-replace-')
afterAll(() => rm(root, { recursive: true, force: true }))

const OURS = JSON.stringify({ modelTopology: {}, userDefinedMetadata: { digitStudio: { v: 1 } } })
const MODEL = { 'model.json': OURS, 'weights.bin': new Uint8Array([1, 2, 3]) }

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = (await p.then(
    () => null,
    (e: unknown) => e
  )) as { code: string; message: string } | null
  expect(err, 'expected a refusal').not.toBeNull()
  return err!
}

describe('replacing a folder (RELIABILITY R1)', () => {
  it('refuses a folder holding other files, naming it, and leaves every file in place', async () => {
    const out = join(root, 'user-folder')
    mkdirSync(out)
    writeFileSync(join(out, 'thesis.docx'), 'years of work')
    const err = await refusal(writeDirAtomic(out, MODEL))
    expect(err.code).toBe('OUT_NOT_EMPTY')
    expect(err.message).toContain(out)
    expect(err.message).toContain('thesis.docx')
    expect(readdirSync(out)).toEqual(['thesis.docx'])
    expect(readdirSync(root).filter((n) => n.startsWith('.'))).toEqual([])
  })

  it('refuses a model folder Digit Studio did not write (no digitStudio metadata)', async () => {
    const out = join(root, 'their-model')
    mkdirSync(out)
    writeFileSync(join(out, 'model.json'), JSON.stringify({ modelTopology: {} }))
    writeFileSync(join(out, 'weights.bin'), 'theirs')
    const saver = fileSaver(out)
    const err = await refusal(
      saver.save!({ modelTopology: {}, weightSpecs: [], weightData: new ArrayBuffer(0) })
    )
    expect(err.code).toBe('OUT_NOT_EMPTY')
    expect(err.message).toContain('not written by Digit Studio')
    expect(readFileSync(join(out, 'weights.bin'), 'utf8')).toBe('theirs')
  })

  it('replaces an empty folder, a missing one and its own model folder', async () => {
    const out = join(root, 'ours')
    mkdirSync(out)
    const save = (): Promise<unknown> =>
      fileSaver(out).save!({
        modelTopology: {},
        weightSpecs: [],
        weightData: new ArrayBuffer(0),
        userDefinedMetadata: { digitStudio: { v: 1 } }
      })
    await save()
    await save()
    expect(readdirSync(out).sort()).toEqual(['model.json', 'weights.bin'])
    await writeDirAtomic(join(root, 'fresh', 'deep'), MODEL)
    expect(readdirSync(join(root, 'fresh', 'deep')).sort()).toEqual(['model.json', 'weights.bin'])
  })
})

describe('a checkpoint swap cut by a crash (RELIABILITY R2)', () => {
  const STEPS: SwapStep[] = ['temp-written', 'old-moved-aside', 'new-moved-in', 'old-removed']

  it.each(STEPS)('after "%s", the sweep leaves a complete old or new checkpoint', async (step) => {
    // A real data-home layout; the checkpoint lives inside a run folder, below runs/.
    const home = join(root, `home-${step}`)
    const run = join(home, 'runs', '20261203-101500-ab12')
    const checkpoint = join(run, 'checkpoint')
    await writeDirAtomic(checkpoint, { ...MODEL, 'model.json': OURS.replace('1}', '"old"}') })
    const crashed = join(root, `crashed-${step}`)
    await writeDirAtomic(checkpoint, MODEL, {
      // What is on disk at this moment is what a crash (kill -9, power cut) would leave.
      onStep: (s) => s === step && cpSync(home, crashed, { recursive: true })
    })
    const crashedRun = join(crashed, 'runs', '20261203-101500-ab12')
    await sweepDataHome(crashed)
    expect(readdirSync(crashedRun)).toEqual(['checkpoint'])
    expect(readdirSync(join(crashedRun, 'checkpoint')).sort()).toEqual([
      'model.json',
      'weights.bin'
    ])
    const json = readFileSync(join(crashedRun, 'checkpoint', 'model.json'), 'utf8')
    expect([OURS, OURS.replace('1}', '"old"}')]).toContain(json)
  })

  it('leaves alone the temp files of another live process (the app and the CLI share the home)', async () => {
    const home = join(root, 'shared-home')
    const run = join(home, 'runs', '20261203-101500-cd34')
    mkdirSync(run, { recursive: true })
    // Our parent (the vitest runner) is alive and is not this process.
    const live = join(run, `.checkpoint.tmp-${process.ppid}-beef`)
    const dead = join(run, `.checkpoint.tmp-999999999-dead`)
    mkdirSync(live)
    mkdirSync(dead)
    expect(await sweepDataHome(home)).toEqual(['.checkpoint.tmp-999999999-dead'])
    expect(existsSync(live)).toBe(true)
  })
})

describe('write errors in words (RELIABILITY R8)', () => {
  it('a write under /proc ends with an error saying the folder does not accept files', async () => {
    // Node's own recursive mkdir loops forever here; this write must end, with a clear reason.
    const target = '/proc/digits-export/deeper/model'
    const err = await refusal(writeDirAtomic(target, MODEL))
    const message = describeWriteError(target, err)
    expect(message).not.toContain('does not exist')
    expect(message).toContain('/proc does not accept new files')
  }, 10_000)
})
