/**
 * The fixture of the "drop -> answer" latency measurement, which the host times itself (so the
 * process hop is included; see src/host/classify-bench.ts): an MNIST test digit drawn dark on
 * light paper at 280x280, PNG-encoded like a phone snapshot cropped to one digit, and an untrained
 * seed model saved to a temporary folder (latency does not depend on the weights, so the bench
 * never needs a training run first).
 */
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { IMAGE_SIZE } from '#shared/mnist'
import type { ClassifyScanFixture } from '#shared/protocol/bench'
import { loadDataset } from '../data/datasets'
import { saveModelToDir } from '../store/model-store'
import { createModel } from '../training/models'

/** Pixels per MNIST pixel in the bench scan (28 -> 280 px). */
const BENCH_SCALE = 10

/** A PNG of the first MNIST test digit as dark ink on light paper, `BENCH_SCALE` times enlarged. */
async function makeBenchScan(): Promise<Uint8Array> {
  const { test } = await loadDataset({ kind: 'embedded' })
  const size = IMAGE_SIZE * BENCH_SCALE
  const png = new PNG({ width: size, height: size })
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const v = test.images[Math.floor(y / BENCH_SCALE) * IMAGE_SIZE + Math.floor(x / BENCH_SCALE)]
      // Paper at 240 with a faint pattern, ink at ~30: a typical scan's contrast.
      const paper = 240 - ((x * 7 + y * 13) % 9)
      const g = Math.round(paper - (v / 255) * (paper - 30))
      png.data.set([g, g, g, 255], (y * size + x) * 4)
    }
  }
  return new Uint8Array(PNG.sync.write(png))
}

/** The scan and an untrained seed model in a fresh temporary folder the host removes afterwards. */
export async function prepareClassifyScan(): Promise<ClassifyScanFixture> {
  const tempDir = await mkdtemp(join(tmpdir(), 'digit-studio-bench-model-'))
  const modelDir = join(tempDir, 'model')
  const model = createModel('seed', { seed: 1 })
  try {
    await saveModelToDir(model, modelDir, { preset: 'seed' } as never)
  } finally {
    model.dispose()
  }
  return { scan: await makeBenchScan(), modelDir, tempDir }
}
