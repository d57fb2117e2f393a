import { existsSync } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { EngineError } from '#shared/errors'
import { IDX_FILE_NAMES, IMAGE_SIZE } from '#shared/mnist'
import type { DatasetInfo, DatasetSource } from '#shared/protocol/training'
import { gunzipHead, isGzip, parseIdxHeader, parseIdxImages, parseIdxLabels } from './idx'
import { embeddedMnistDir } from '../store/paths'
import { isLabelledFolder, readLabelledFolder } from './labelled-folder'
import { createRng, shuffledIndices } from '../random'
import type { SkippedImage } from '#shared/protocol/training'

/** One split of a dataset: N images of 28x28 uint8 pixels, row-major, and N labels 0-9. */
interface Split {
  images: Uint8Array
  labels: Uint8Array
  count: number
}
export interface Dataset {
  name: string
  source: string
  embedded: boolean
  train: Split
  test: Split
  /** A labelled folder's images that were not used, with the reason for each. */
  skipped?: SkippedImage[]
}

type FileKey = keyof typeof IDX_FILE_NAMES

/** Finds each of the four IDX files in a folder, plain or `.gz`; a missing one is a clear error. */
export function locateIdxFiles(dir: string): Record<FileKey, string> {
  if (!existsSync(dir)) throw new EngineError('DATASET_INVALID', `${dir}: folder does not exist`)
  const found = {} as Record<FileKey, string>
  for (const key of Object.keys(IDX_FILE_NAMES) as FileKey[]) {
    const name = IDX_FILE_NAMES[key]
    const candidates = [name, `${name}.gz`, name.replace(/-idx(\d)-/, '.idx$1-')]
    const hit = candidates.map((c) => join(dir, c)).find((p) => existsSync(p))
    if (!hit)
      throw new EngineError(
        'DATASET_INVALID',
        `${dir}: missing ${name} (or ${name}.gz); a labelled folder has folders named 0-9 instead (<label>/<file>.png)`
      )
    found[key] = hit
  }
  return found
}

function sourceDir(source: DatasetSource): string {
  return source.kind === 'embedded' ? embeddedMnistDir() : source.path
}

/** "Fashion-MNIST" when the folder says so, else "MNIST"-format with the folder name. */
function datasetName(source: DatasetSource): string {
  if (source.kind === 'embedded') return 'MNIST'
  return /fashion/i.test(source.path) ? 'Fashion-MNIST' : `MNIST-format (${basename(source.path)})`
}

async function readHeaderCount(file: string): Promise<number> {
  // Plain files: read 16 bytes only, so describing full MNIST costs nothing.
  const handle = await open(file, 'r')
  try {
    const head = new Uint8Array(16)
    await handle.read(head, 0, 16, 0)
    if (!isGzip(head)) return parseIdxHeader(head, file).dims[0]
  } finally {
    await handle.close()
  }
  return parseIdxHeader(gunzipHead(await readFile(file), file), file).dims[0]
}

/** Counts without loading pixels: used by `engine:info` and the dataset panel. */
export async function describeDataset(source: DatasetSource): Promise<DatasetInfo> {
  if (source.kind === 'folder' && (await isLabelledFolder(source.path))) {
    // A labelled folder's counts are known only once each image is checked for one digit.
    const { name, source: src, embedded, train, test, skipped } = await loadDataset(source)
    return { name, source: src, embedded, train: train.count, test: test.count, skipped }
  }
  const files = locateIdxFiles(sourceDir(source))
  const [train, test] = await Promise.all([
    readHeaderCount(files.trainImages),
    readHeaderCount(files.testImages)
  ])
  return {
    name: datasetName(source),
    source: source.kind === 'embedded' ? 'embedded' : source.path,
    embedded: source.kind === 'embedded',
    train,
    test
  }
}

async function loadSplit(imagesFile: string, labelsFile: string): Promise<Split> {
  const [imgRaw, lblRaw] = await Promise.all([readFile(imagesFile), readFile(labelsFile)])
  const images = parseIdxImages(imgRaw, imagesFile)
  const labels = parseIdxLabels(lblRaw, labelsFile)
  const [n, rows, cols] = images.dims
  if (rows !== IMAGE_SIZE || cols !== IMAGE_SIZE) {
    throw new EngineError(
      'DATASET_INVALID',
      `${imagesFile}: images are ${rows}x${cols}, expected ${IMAGE_SIZE}x${IMAGE_SIZE}`
    )
  }
  if (labels.dims[0] !== n) {
    throw new EngineError(
      'DATASET_INVALID',
      `${labelsFile}: ${labels.dims[0]} labels for ${n} images in ${basename(imagesFile)}`
    )
  }
  const bad = labels.data.findIndex((l) => l > 9)
  if (bad >= 0)
    throw new EngineError(
      'DATASET_INVALID',
      `${labelsFile}: label ${labels.data[bad]} at index ${bad} is not a digit 0-9`
    )
  return { images: images.data, labels: labels.data, count: n }
}

/**
 * Like Promise.all, but when several fail it reports the first in list order, not the first in
 * time: a folder with two bad files then always names the same one (train before test).
 */
async function inOrder<T>(promises: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find((r) => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}

/**
 * A labelled folder's own test part: a fixed seeded 15 % of its images (at least one when it has
 * two or more), the same on every run, like MNIST's fixed test set; the rest is the training set,
 * from which the run takes its usual validation split.
 */
const LABELLED_TEST_FRACTION = 0.15
const LABELLED_TEST_SEED = 0x7e57

function splitOf(images: Uint8Array, labels: Uint8Array, order: Uint32Array): Split {
  const out = new Uint8Array(order.length * IMAGE_SIZE * IMAGE_SIZE)
  const pixels = IMAGE_SIZE * IMAGE_SIZE
  order.forEach((idx, i) => out.set(images.subarray(idx * pixels, (idx + 1) * pixels), i * pixels))
  return { images: out, labels: Uint8Array.from(order, (idx) => labels[idx]), count: order.length }
}

async function loadLabelledDataset(dir: string): Promise<Dataset> {
  const read = await readLabelledFolder(dir)
  const order = shuffledIndices(read.count, createRng(LABELLED_TEST_SEED))
  const testCount =
    read.count < 2 ? 0 : Math.max(1, Math.round(read.count * LABELLED_TEST_FRACTION))
  return {
    name: `labelled folder (${basename(dir)})`,
    source: dir,
    embedded: false,
    test: splitOf(read.images, read.labels, order.subarray(0, testCount)),
    train: splitOf(read.images, read.labels, order.subarray(testCount)),
    skipped: read.skipped
  }
}

/** Loads and validates a whole dataset (full MNIST: ~55 MB of bytes, well under a second). */
export async function loadDataset(source: DatasetSource): Promise<Dataset> {
  if (source.kind === 'folder' && (await isLabelledFolder(source.path)))
    return loadLabelledDataset(source.path)
  const files = locateIdxFiles(sourceDir(source))
  const [train, test] = await inOrder([
    loadSplit(files.trainImages, files.trainLabels),
    loadSplit(files.testImages, files.testLabels)
  ])
  return {
    name: datasetName(source),
    source: source.kind === 'embedded' ? 'embedded' : source.path,
    embedded: source.kind === 'embedded',
    train,
    test
  }
}
