/**
 * A small look inside the model at the end of each epoch, kept in the run folder as
 * `inside/epoch-N.json` (first-layer filters and one fixed test digit's convolution activations,
 * ~100 KB for `seed`), so the user sees features form while training and can scrub through the
 * epochs afterwards. The checkpoint is rewritten every epoch; these files are kept.
 */
import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS } from '#shared/mnist'
import type { InsideSnapshot } from '#shared/protocol/explain'
import { writeJsonAtomic } from '../store/run-folder'
import { runDir } from '../store/runs'
import { digitActivations, unitPixels } from './explain-digit'

/** The digit every snapshot shows: the test set's first image (a 7), the same in every run. */
const SNAPSHOT_TEST_INDEX = 0
const INSIDE_DIR = 'inside'
const FILE_PATTERN = /^epoch-(\d+)\.json$/

/** Three decimals are plenty for a picture and keep the JSON about 4x smaller than full floats. */
function rounded(values: ArrayLike<number>): number[] {
  return Array.from(values, (x) => Math.round(x * 1000) / 1000)
}

/** Builds one epoch's snapshot from the model and the fixed digit (0..255 bytes). */
export function buildInsideSnapshot(
  model: tf.LayersModel,
  epoch: number,
  digit: Uint8Array,
  testIndex = SNAPSHOT_TEST_INDEX
): InsideSnapshot {
  // No saliency here: the snapshot is about features forming, and it must not slow training. (It
  // used to compute an occlusion map and drop it: 170 occluded copies through the whole network
  // at once, which grew a fresh `accurate` model's wasm heap from 16 to 187 MB, more than a
  // training step's 32-image chunk needs; the heap never shrinks.)
  const look = digitActivations(model, unitPixels(digit))
  const convLayers = look.layers.filter((l) => l.shape.length === 3)
  return {
    epoch,
    testIndex,
    label: look.label,
    probabilities: rounded(look.probabilities),
    input: rounded(look.input),
    filters: look.filters && { ...look.filters, data: rounded(look.filters.data) },
    layers: convLayers.map((l) => ({
      name: l.name,
      shape: l.shape,
      mean: l.mean,
      max: l.max,
      data: rounded(l.data ?? [])
    }))
  }
}

/** Writes `inside/epoch-N.json` into a run folder (atomically); false when there is no test digit. */
export async function saveInsideSnapshot(
  runFolder: string,
  model: tf.LayersModel,
  epoch: number,
  testPixels: Uint8Array
): Promise<boolean> {
  const at = SNAPSHOT_TEST_INDEX * IMAGE_PIXELS
  if (testPixels.length < at + IMAGE_PIXELS) return false
  const snapshot = buildInsideSnapshot(model, epoch, testPixels.subarray(at, at + IMAGE_PIXELS))
  await mkdir(join(runFolder, INSIDE_DIR), { recursive: true })
  await writeJsonAtomic(join(runFolder, INSIDE_DIR, `epoch-${epoch}.json`), snapshot)
  return true
}

/** Epochs of a run that have a snapshot, ascending (none for runs made before this feature). */
export async function listInsideSnapshots(runId: string): Promise<{ epochs: number[] }> {
  const dir = join(runDir(runId), INSIDE_DIR)
  if (!existsSync(dir)) return { epochs: [] }
  const epochs = (await readdir(dir))
    .map((name) => FILE_PATTERN.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b)
  return { epochs }
}

/** One epoch's snapshot; BAD_REQUEST naming the file when it is missing or unreadable. */
export async function readInsideSnapshot(runId: string, epoch: number): Promise<InsideSnapshot> {
  const file = join(runDir(runId), INSIDE_DIR, `epoch-${epoch}.json`)
  try {
    return JSON.parse(await readFile(file, 'utf8')) as InsideSnapshot
  } catch (err) {
    const why =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such snapshot' : (err as Error).message
    throw new EngineError('BAD_REQUEST', `${file}: ${why}`)
  }
}
