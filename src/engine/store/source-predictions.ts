/**
 * The gallery's other sources (issue 16): My digits, or a dataset folder the user added, predicted
 * with the current model in batches and served in the MNIST test set's page shape
 * (predictions-store.ts), so every filter, sort and tile works the same on them.
 *
 * One cached prediction set, keyed by the model object and a fingerprint of the source: a new
 * model (run, import, fine-tune) or any change to the source's files predicts again on the next
 * page, including changes made by another process (the CLI's `digits add`), which the engine's own
 * `digits:changed` event would miss.
 */
import type * as tf from '@tensorflow/tfjs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { GallerySource } from '#shared/protocol/gallery'
import type { PredictionsPage, PredictionsPageParams } from '#shared/protocol/predictions'
import { IMAGE_PIXELS } from '#shared/mnist'
import { loadDatasetCached } from '../data/dataset-cache'
import { isLabelledFolder, readLabelledFolder } from '../data/labelled-folder'
import { listDigits } from '../digits/my-digits'
import { evaluateProbabilities, predictSplit } from '../training/predict'
import { requireCurrentModel } from './model-store'
import { predictionsPage, type PredictionSet } from './predictions-store'

type OtherSource = Exclude<GallerySource, { kind: 'mnist' }>

interface SourceImages {
  images: Uint8Array
  labels: Uint8Array
  names?: string[]
}

/** A source's fingerprint (cheap to compute) and how to read its images (the costly part). */
interface SourceReader {
  key: string
  /** Known empty without reading (My digits with no digit kept). */
  empty: boolean
  read: () => Promise<SourceImages>
}

let cached: { model: tf.LayersModel; key: string; set: Promise<PredictionSet> } | null = null

/** One gallery page of `params.source` (the MNIST test set when absent). */
export async function galleryPage(params: PredictionsPageParams): Promise<PredictionsPage> {
  if (!params.source || params.source.kind === 'mnist') return predictionsPage(params)
  return predictionsPage(params, await sourcePredictions(params.source))
}

async function sourcePredictions(source: OtherSource): Promise<PredictionSet> {
  const reader =
    source.kind === 'my-digits' ? await myDigitsReader() : await folderReader(source.path)
  // An empty source is an empty gallery, with or without a model: the view explains how to fill it.
  if (reader.empty) return emptySet()
  const { model } = await requireCurrentModel()
  if (cached?.model !== model || cached.key !== reader.key) {
    // Set synchronously, so the pages the grid asks for at once share one prediction pass.
    const set = predictSet(model, reader.read)
    cached = { model, key: reader.key, set }
    // A failed pass must not stick: the next page tries again.
    set.catch(() => {
      if (cached?.set === set) cached = null
    })
  }
  return cached.set
}

async function predictSet(
  model: tf.LayersModel,
  read: () => Promise<SourceImages>
): Promise<PredictionSet> {
  const { images, labels, names } = await read()
  const probabilities = (await predictSplit(model, {
    pixels: images,
    labels,
    count: labels.length
  }))!
  const { predicted, confidence } = evaluateProbabilities(probabilities, labels)
  return { images, labels, probabilities, predicted, confidence, names }
}

function emptySet(): PredictionSet {
  return {
    images: new Uint8Array(0),
    labels: new Uint8Array(0),
    probabilities: new Float32Array(0),
    predicted: new Uint8Array(0),
    confidence: new Float32Array(0)
  }
}

/** My digits: keyed by every kept digit's name and label (digits.csv), inputs read on a miss. */
async function myDigitsReader(): Promise<SourceReader> {
  const { items } = await listDigits(false)
  return {
    key: 'my-digits\n' + items.map((d) => `${d.label}/${d.name}`).join('\n'),
    empty: items.length === 0,
    read: async () => {
      const kept = (await listDigits(true)).items.filter((d) => d.input)
      const images = new Uint8Array(kept.length * IMAGE_PIXELS)
      kept.forEach((d, i) => images.set(d.input!, i * IMAGE_PIXELS))
      return {
        images,
        labels: Uint8Array.from(kept, (d) => d.label),
        names: kept.map((d) => `${d.label}/${d.name}`)
      }
    }
  }
}

/**
 * A dataset folder: a labelled folder's every usable image (Classify's preprocessing), or an IDX
 * folder's test split. Keyed by the modification times of the folder and its label folders, which
 * change whenever a file is added, removed or replaced (atomic writes rename).
 */
async function folderReader(path: string): Promise<SourceReader> {
  if (!(await isLabelledFolder(path))) {
    const { test } = await loadDatasetCached({ kind: 'folder', path })
    return {
      key: `idx\n${path}`,
      empty: test.count === 0,
      read: async () => ({ images: test.images, labels: test.labels })
    }
  }
  const times = await Promise.all(
    ['', ...Array.from({ length: 10 }, (_, d) => String(d))].map((sub) =>
      stat(join(path, sub)).then(
        (s) => s.mtimeMs,
        () => -1
      )
    )
  )
  return {
    key: `labelled\n${path}\n${times.join(',')}`,
    // A folder of only unusable files is refused by readLabelledFolder, with the reasons.
    empty: false,
    read: async () => {
      const read = await readLabelledFolder(path)
      return { images: read.images, labels: read.labels, names: read.files }
    }
  }
}
