/**
 * "Drop -> answer" latency of a single-digit scan, measured from the host: the time from sending
 * a file's bytes to having its digit back, through the same engine request the app and the CLI use
 * (so the process hop is included). The scan is an MNIST test digit drawn dark on light paper at
 * 280x280, PNG-encoded, like a phone snapshot cropped to one digit.
 */
import { PNG } from 'pngjs'
import { IMAGE_SIZE } from '../../shared/mnist'
import type { ClassifyImagesParams, ClassifyImagesResult } from '../../shared/protocol/classify'
import { loadDataset } from './datasets'

/** Pixels per MNIST pixel in the bench scan (28 -> 280 px). */
const BENCH_SCALE = 10

/** A PNG of the first MNIST test digit as dark ink on light paper, `BENCH_SCALE` times enlarged. */
export async function makeBenchScan(): Promise<Uint8Array> {
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

export interface ClassifyLatency {
  runs: number
  medianMs: number
  p95Ms: number
  /** Time the engine itself reported (decode + preprocess + predict), median. */
  engineMedianMs: number
  scanBytes: number
  digits: string
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]
}

/**
 * Times `runs` single-file classify requests after `warmup` untimed ones (the first loads the model
 * and the wasm kernels). `request` is the host's way to call `classify:images`.
 */
export async function measureClassifyLatency(
  request: (params: ClassifyImagesParams) => Promise<ClassifyImagesResult>,
  options: { modelDir?: string; runs?: number; warmup?: number } = {}
): Promise<ClassifyLatency> {
  const { runs = 20, warmup = 3, modelDir } = options
  const bytes = await makeBenchScan()
  const params: ClassifyImagesParams = {
    files: [{ name: 'bench-scan.png', bytes }],
    options: { modelDir, pictures: true }
  }
  let digits = ''
  for (let i = 0; i < warmup; i++) await request(params)
  const total: number[] = []
  const engine: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    const r = await request(params)
    total.push(performance.now() - t)
    engine.push(r.millis)
    const first = r.results[0]
    digits = first.ok ? first.digits : `error: ${first.error.message}`
  }
  return {
    runs,
    medianMs: quantile(total, 0.5),
    p95Ms: quantile(total, 0.95),
    engineMedianMs: quantile(engine, 0.5),
    scanBytes: bytes.length,
    digits
  }
}
