import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import { forkEngine } from '#host/engine-fork'
import { guardEngine } from '../engine-session'
import { EngineError } from '#shared/errors'
import type { BackendKind } from '#shared/protocol/info'
import type { BackendFigures, BenchOptions, BenchStep } from './bench-step'
import { classifyBenchStep } from './classify-bench-step'
import { explainBenchStep } from './explain-bench-step'

export const BENCH_USAGE = 'digit-studio bench [--batches N] [--cpu] [--json]'

/** Timed training batches by default: ~2,500 samples, a few seconds on the fallback, after 3 warm-up batches. */
const DEFAULT_BATCHES = 20

const BENCH_STEPS: BenchStep[] = [
  {
    name: 'train and infer (seed preset, batch 128)',
    run: async (engine, options) => {
      const r = await engine.request('bench:run', { batches: options.batches, batchSize: 128 })
      return {
        backendReason: r.backendReason,
        batchSize: r.batchSize,
        trainBatches: r.trainBatches,
        trainSamplesPerSecond: Math.round(r.trainSamplesPerSecond),
        trainThreads: r.trainThreads,
        trainSamplesPerSecondOneThread: Math.round(r.trainSamplesPerSecondOneThread),
        inferSamplesPerSecond: Math.round(r.inferSamplesPerSecond),
        peakRssBytes: r.peakRssBytes
      }
    }
  },
  classifyBenchStep,
  explainBenchStep
]

type BackendReport =
  | { backend: BackendKind; available: true; figures: BackendFigures }
  | { backend: BackendKind; available: false; reason: string }

/** Forks an engine forced onto `backend` and runs every step in it; an engine that can't start is "unavailable". */
async function benchBackend(backend: BackendKind, options: BenchOptions): Promise<BackendReport> {
  const engine = forkEngine({ env: { DIGIT_STUDIO_BACKEND: backend } })
  const release = guardEngine(engine)
  try {
    try {
      await engine.ready()
    } catch (err) {
      return { backend, available: false, reason: err instanceof Error ? err.message : String(err) }
    }
    const figures: BackendFigures = {}
    for (const step of BENCH_STEPS) Object.assign(figures, await step.run(engine, options))
    return { backend, available: true, figures }
  } finally {
    await engine.dispose()
    release()
  }
}

function machine(): Record<string, string | number> {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`
  }
}

function formatReport(r: BackendReport): string {
  if (!r.available) return `${r.backend.padEnd(7)} unavailable: ${r.reason}`
  const f = r.figures
  const n = (x: number | string | undefined): string =>
    typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : '-'
  return (
    `${r.backend.padEnd(7)} train ${n(f.trainSamplesPerSecond).padStart(7)} samples/s` +
    (typeof f.trainThreads === 'number' && f.trainThreads > 1
      ? ` on ${f.trainThreads} threads (${n(f.trainSamplesPerSecondOneThread)} on 1)`
      : '') +
    `   infer ${n(f.inferSamplesPerSecond).padStart(7)} samples/s   ` +
    `peak RSS ${n(typeof f.peakRssBytes === 'number' ? f.peakRssBytes / 2 ** 20 : undefined)} MB   ` +
    (typeof f.classifyMedianMs === 'number'
      ? `classify scan ${f.classifyMedianMs} ms (p95 ${f.classifyP95Ms})   `
      : '') +
    (typeof f.drawPadUpdateMedianMs === 'number'
      ? `draw-pad update ${f.drawPadUpdateMedianMs} ms (p95 ${f.drawPadUpdateP95Ms})   `
      : '') +
    `(${f.backendReason})`
  )
}

/** `digit-studio bench`: training and inference throughput for every backend available here. */
export async function runBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      batches: { type: 'string' },
      cpu: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false }
    }
  })
  const batches = values.batches === undefined ? DEFAULT_BATCHES : Number(values.batches)
  if (!Number.isInteger(batches) || batches < 1)
    throw new EngineError('BAD_REQUEST', `--batches "${values.batches}" is not a positive integer`)
  // cpu is pure JavaScript and ~20x slower: measured only on request.
  const backends: BackendKind[] = values.cpu ? ['native', 'wasm', 'cpu'] : ['native', 'wasm']
  const m = machine()
  if (!values.json)
    process.stdout.write(
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform}\nSeed preset, batch 128, ${batches} timed batches after 3 warm-up\n`
    )
  const reports: BackendReport[] = []
  for (const backend of backends) {
    // One backend at a time: measured side by side they would share the same two cores.
    const report = await benchBackend(backend, { batches })
    reports.push(report)
    process.stdout.write(
      (values.json ? JSON.stringify({ type: 'backend', ...report }) : formatReport(report)) + '\n'
    )
  }
  if (values.json) {
    const perBackend = Object.fromEntries(
      reports.map((r) => [
        r.backend,
        r.available ? r.figures : { available: false, reason: r.reason }
      ])
    )
    process.stdout.write(
      JSON.stringify({ type: 'bench', machine: m, batches, backends: perBackend }) + '\n'
    )
  }
  return reports.some((r) => r.available) ? 0 : 2
}
