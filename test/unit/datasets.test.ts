import * as tf from '@tensorflow/tfjs'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EngineError } from '#shared/errors'
import { IDX_FILE_NAMES, IMAGE_PIXELS, MNIST_TEST_COUNT, MNIST_TRAIN_COUNT } from '#shared/mnist'
import { describeDataset, loadDataset, locateIdxFiles } from '#engine/data/datasets'
import { encodeIdx } from '#engine/data/idx'
import { BatchBuffers, batchTensors, epochOrder, prepareData } from '#engine/data/preprocess-data'

const FASHION_DIR = '/usr/share/datasets/fashion-mnist'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ds-datasets-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** Writes a tiny MNIST-format folder: `train` and `test` images whose first pixel is their label. */
async function writeFolder(
  path: string,
  opts: { train: number; test: number; gzip?: boolean; labelOverride?: number[] }
): Promise<void> {
  const { mkdir } = await import('node:fs/promises')
  await mkdir(path, { recursive: true })
  const write = async (name: string, dims: number[], data: Uint8Array): Promise<void> => {
    const bytes = encodeIdx(dims, data)
    await writeFile(
      join(path, opts.gzip ? `${name}.gz` : name),
      opts.gzip ? gzipSync(bytes) : bytes
    )
  }
  for (const [split, n] of [
    ['train', opts.train],
    ['test', opts.test]
  ] as const) {
    const labels = Uint8Array.from({ length: n }, (_, i) => opts.labelOverride?.[i] ?? i % 10)
    const images = new Uint8Array(n * IMAGE_PIXELS)
    labels.forEach((l, i) => (images[i * IMAGE_PIXELS] = l * 25))
    await write(
      split === 'train' ? IDX_FILE_NAMES.trainImages : IDX_FILE_NAMES.testImages,
      [n, 28, 28],
      images
    )
    await write(
      split === 'train' ? IDX_FILE_NAMES.trainLabels : IDX_FILE_NAMES.testLabels,
      [n],
      labels
    )
  }
}

async function expectInvalid(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e
  )
  expect(err).toBeInstanceOf(EngineError)
  expect((err as EngineError).code).toBe('DATASET_INVALID')
  expect((err as Error).message).toMatch(pattern)
}

describe('datasets', () => {
  it('loads the embedded MNIST: 60,000 + 10,000 images with digit labels', async () => {
    const t0 = performance.now()
    const ds = await loadDataset({ kind: 'embedded' })
    console.info(`full MNIST loaded and validated in ${Math.round(performance.now() - t0)} ms`)
    expect(ds.train.count).toBe(MNIST_TRAIN_COUNT)
    expect(ds.test.count).toBe(MNIST_TEST_COUNT)
    expect(ds.train.images.length).toBe(MNIST_TRAIN_COUNT * IMAGE_PIXELS)
    expect(Math.max(...ds.test.labels)).toBe(9)
    // The first training image of MNIST is a 5, the first test image a 7.
    expect(ds.train.labels[0]).toBe(5)
    expect(ds.test.labels[0]).toBe(7)
  })

  it('loads any folder with the four IDX files, plain or gzipped', async () => {
    for (const gzip of [false, true]) {
      const path = join(dir, gzip ? 'gz' : 'plain')
      await writeFolder(path, { train: 30, test: 10, gzip })
      const ds = await loadDataset({ kind: 'folder', path })
      expect([ds.train.count, ds.test.count]).toEqual([30, 10])
      expect(ds.train.labels[13]).toBe(3)
      expect((await describeDataset({ kind: 'folder', path })).train).toBe(30)
    }
  })

  it('folder errors name the file at fault', async () => {
    await expectInvalid(
      loadDataset({ kind: 'folder', path: join(dir, 'nope') }),
      /nope: folder does not exist/
    )
    const missing = join(dir, 'missing')
    await writeFolder(missing, { train: 5, test: 5 })
    await rm(join(missing, IDX_FILE_NAMES.testLabels))
    expect(() => locateIdxFiles(missing)).toThrow(/missing t10k-labels-idx1-ubyte/)
    const badLabel = join(dir, 'bad-label')
    await writeFolder(badLabel, { train: 5, test: 5, labelOverride: [1, 2, 12] })
    await expectInvalid(
      loadDataset({ kind: 'folder', path: badLabel }),
      /train-labels-idx1-ubyte: label 12 at index 2 is not a digit/
    )
    const mismatch = join(dir, 'mismatch')
    await writeFolder(mismatch, { train: 5, test: 5 })
    await writeFile(join(mismatch, IDX_FILE_NAMES.trainLabels), encodeIdx([4], new Uint8Array(4)))
    await expectInvalid(
      loadDataset({ kind: 'folder', path: mismatch }),
      /train-labels-idx1-ubyte: 4 labels for 5 images/
    )
  })

  it.skipIf(!existsSync(FASHION_DIR))(
    `loads Fashion-MNIST from ${FASHION_DIR} (Debian dataset-fashion-mnist)`,
    async () => {
      const ds = await loadDataset({ kind: 'folder', path: FASHION_DIR })
      expect(ds.name).toBe('Fashion-MNIST')
      expect([ds.train.count, ds.test.count]).toEqual([60_000, 10_000])
    }
  )
  if (!existsSync(FASHION_DIR))
    console.info(
      `skipped Fashion-MNIST: ${FASHION_DIR} not present (apt-get install dataset-fashion-mnist)`
    )
})

describe('preprocessing', () => {
  it('splits with a seeded shuffle, scales to [0,1] and keeps the test set apart', async () => {
    const path = join(dir, 'prep')
    await writeFolder(path, { train: 200, test: 50 })
    const ds = await loadDataset({ kind: 'folder', path })
    const a = prepareData(ds, { validationSplit: 0.1, seed: 7, trainLimit: 100, testLimit: 20 })
    expect([a.train.count, a.validation.count, a.test.count]).toEqual([90, 10, 20])
    expect(a.train.pixels.length).toBe(90 * IMAGE_PIXELS)
    // The fixture's first pixel encodes the label: gathering kept pixels with their labels, and a
    // batch converts them to [0,1] floats, one-hot labels alongside.
    for (let i = 0; i < a.train.count; i++)
      expect(a.train.pixels[i * IMAGE_PIXELS]).toBe(a.train.labels[i] * 25)
    const order = Uint32Array.from({ length: 90 }, (_, i) => 89 - i)
    const { xs, ys } = batchTensors(a.train, order, 0, 90, new BatchBuffers(128))
    const x = xs.dataSync()
    const y = ys.dataSync()
    tf.dispose([xs, ys])
    expect(xs.shape).toEqual([90, 28, 28, 1])
    for (let i = 0; i < 90; i++) {
      const label = a.train.labels[89 - i]
      expect(x[i * IMAGE_PIXELS]).toBeCloseTo((label * 25) / 255, 6)
      expect(y[i * 10 + label]).toBe(1)
    }
    expect(Math.max(...x)).toBeLessThanOrEqual(1)
    expect(a.test.pixels.length).toBe(20 * IMAGE_PIXELS)
    const b = prepareData(ds, { validationSplit: 0.1, seed: 7, trainLimit: 100 })
    expect(Array.from(b.validation.labels)).toEqual(Array.from(a.validation.labels))
    const c = prepareData(ds, { validationSplit: 0.1, seed: 8, trainLimit: 100 })
    expect(Array.from(c.train.pixels.subarray(0, 5000))).not.toEqual(
      Array.from(a.train.pixels.subarray(0, 5000))
    )
    expect(() => prepareData(ds, { validationSplit: 0.5, seed: 1, trainLimit: 1 })).toThrow(
      /no training images left/
    )
  })

  it('shuffles each epoch differently but reproducibly', () => {
    const e1 = epochOrder(1000, 42, 1)
    expect(Array.from(e1)).toEqual(Array.from(epochOrder(1000, 42, 1)))
    expect(Array.from(e1)).not.toEqual(Array.from(epochOrder(1000, 42, 2)))
    expect([...e1].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i))
  })
})
