/**
 * Measures "Learn my handwriting" (README): does fine-tuning on 100 digits of some writers help
 * on other digits of the same writers, what does it cost on MNIST, and how long does an epoch of
 * MNIST + 100 images take next to a plain MNIST epoch (the same run, the same settings).
 *
 *   node --import tsx scripts/learn-handwriting.ts --model DIR [--work DIR] [--epochs 1] [--eval-only]
 *
 * `--eval-only` stops after the model's accuracy on the folders (how the README's starter-model
 * row on the "other writers" set is measured).
 *
 * Builds three labelled folders with scripts/writers-set.ts (fonts: see there):
 *   added      125 digits of 6 writers (seed 11): the fine-tune's --add-images; it holds out 25
 *              (seeded), so 100 are trained on
 *   same       600 other digits of the same 6 writers (seed 22): the target's "similar writers"
 *   unseen     200 digits of 2 writers it never saw (seed 33): reported beside, not a target
 * then runs `digit-studio train --from DIR --add-images added` and `digit-studio train --from DIR`
 * (the plain peer: what one more epoch does without the images, and the time ratio's base),
 * evaluates each model on the folders, and times both once more in the other order.
 */
import { execFile } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { promisify } from 'node:util'
import { selectBackend } from '#engine/backend/selection'
import { readLabelledFolder } from '#engine/data/labelled-folder'
import { loadModelFromDir } from '#engine/store/model-store'
import { accuracyOn } from '#engine/training/fine-tune'
import { WRITERS, writeWritersSet } from './writers-set'

const run = promisify(execFile)
const BIN = join(import.meta.dirname, '..', 'bin', 'digit-studio.mjs')
const TRAINED_WRITERS = WRITERS.filter((w) => !['kristi', 'rufscript'].includes(w.id))
const UNSEEN_WRITERS = WRITERS.filter((w) => ['kristi', 'rufscript'].includes(w.id))

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    work: { type: 'string', default: '/tmp/learn-handwriting' },
    epochs: { type: 'string', default: '1' },
    'eval-only': { type: 'boolean', default: false }
  }
})
if (!values.model) throw new Error('--model DIR (a trained model folder) is required')
const work = values.work
rmSync(work, { recursive: true, force: true })
mkdirSync(work, { recursive: true })
const folders = {
  added: join(work, 'added'),
  same: join(work, 'same'),
  unseen: join(work, 'unseen')
}
writeWritersSet(folders.added, { count: 125, seed: 11, writers: TRAINED_WRITERS })
writeWritersSet(folders.same, { count: 600, seed: 22, writers: TRAINED_WRITERS })
writeWritersSet(folders.unseen, { count: 200, seed: 33, writers: UNSEEN_WRITERS })

const backend = await selectBackend()
const sets = {
  same: await readLabelledFolder(folders.same),
  unseen: await readLabelledFolder(folders.unseen)
}

async function evaluate(modelDir: string): Promise<Record<keyof typeof sets, number>> {
  const { model } = await loadModelFromDir(modelDir)
  const out = {} as Record<keyof typeof sets, number>
  for (const [name, set] of Object.entries(sets) as [keyof typeof sets, (typeof sets)['same']][])
    out[name] = await accuracyOn(model, {
      pixels: set.images,
      labels: set.labels,
      count: set.count
    })
  model.dispose()
  return out
}

/** Runs `digit-studio train` with `args`; returns its epoch events and its done line. */
async function train(
  args: string[]
): Promise<{ epochs: { seconds: number }[]; done: Record<string, unknown> }> {
  const env = { ...process.env, DIGIT_STUDIO_HOME: join(work, 'home') }
  const r = await run(process.execPath, [BIN, 'train', ...args, '--json'], {
    env,
    maxBuffer: 256 * 2 ** 20
  })
  const lines = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>)
  return {
    epochs: lines.filter((l) => l.type === 'training:epoch') as unknown as { seconds: number }[],
    done: lines.at(-1)!
  }
}

const epochs = ['--epochs', values.epochs]
const before = await evaluate(values.model)
if (values['eval-only']) {
  const n = { same: sets.same.count, unseen: sets.unseen.count }
  process.stdout.write(JSON.stringify({ model: values.model, accuracy: before, images: n }) + '\n')
  process.exit(0)
}
const tuned = await train([
  '--from',
  values.model,
  '--add-images',
  folders.added,
  '--out',
  join(work, 'tuned'),
  ...epochs
])
const plain = await train(['--from', values.model, '--out', join(work, 'plain'), ...epochs])
const after = await evaluate(join(work, 'tuned'))
// The plain epoch's model on the same folders: what the extra epoch alone does, without the images.
const plainAfter = await evaluate(join(work, 'plain'))
// The shared machine's load drifts during a run: time both once more in the other order
// (tuned, plain, plain, tuned), so a drift adds about as much to each side.
const again = await train(['--from', values.model, '--out', join(work, 'plain2'), ...epochs])
const tunedAgain = await train([
  '--from',
  values.model,
  '--add-images',
  folders.added,
  '--out',
  join(work, 'tuned2'),
  ...epochs
])
const sum = (e: { seconds: number }[]): number => e.reduce((a, b) => a + b.seconds, 0)
const report = {
  backend: backend.kind,
  model: values.model,
  skipped: { same: sets.same.skipped.length, unseen: sets.unseen.skipped.length },
  evaluated: { same: sets.same.count, unseen: sets.unseen.count },
  sameWritersBefore: before.same,
  sameWritersAfter: after.same,
  sameWritersPlainEpoch: plainAfter.same,
  unseenWritersBefore: before.unseen,
  unseenWritersAfter: after.unseen,
  unseenWritersPlainEpoch: plainAfter.unseen,
  heldOutBefore: tuned.done.heldOutAccuracyBefore,
  heldOutAfter: tuned.done.heldOutAccuracyAfter,
  mnistTestBefore: tuned.done.testAccuracyBefore,
  mnistTestAfter: tuned.done.testAccuracy,
  mnistTestPlainEpoch: plain.done.testAccuracy,
  addedImages: tuned.done.addedImages,
  skippedAdded: tuned.done.skippedImages,
  epochSecondsWithAdded: [sum(tuned.epochs), sum(tunedAgain.epochs)],
  epochSecondsPlain: [sum(plain.epochs), sum(again.epochs)],
  timeRatio: (sum(tuned.epochs) + sum(tunedAgain.epochs)) / (sum(plain.epochs) + sum(again.epochs))
}
console.log(JSON.stringify(report, null, 2))
// The decode thread (labelled folders are read through it) would keep the process alive.
process.exit(0)
