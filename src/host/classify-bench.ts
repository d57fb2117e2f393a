/**
 * "Drop -> answer" latency of a single-digit scan, measured from the host: the time from sending
 * a file's bytes to having its digit back, through the same engine request the app and the CLI use
 * (so the process hop is included). The engine prepares the scan and a model
 * (`bench:classifyScan`); only the timing happens here.
 */
import type { ClassifyImagesParams, ClassifyImagesResult } from '#shared/protocol/classify'

interface ClassifyLatency {
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
  fixture: { scan: Uint8Array; modelDir?: string },
  options: { runs?: number; warmup?: number } = {}
): Promise<ClassifyLatency> {
  const { runs = 20, warmup = 3 } = options
  const params: ClassifyImagesParams = {
    files: [{ name: 'bench-scan.png', bytes: fixture.scan }],
    options: { modelDir: fixture.modelDir, pictures: true }
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
    scanBytes: fixture.scan.length,
    digits
  }
}
