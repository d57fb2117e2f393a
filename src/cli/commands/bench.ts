import { cpus, totalmem } from 'node:os'
import { parseArgs } from 'node:util'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'
import { guardEngine } from '../engine-session'
import { EngineError } from '#shared/errors'
import { BENCH_PRESETS, type BenchPreset } from '#shared/protocol/bench'
import type { BackendKind } from '#shared/protocol/info'
import { byPreset, formatReport, spread, type BenchReport } from './bench-report'
import type { BackendFigures, BenchOptions } from './bench-step'
import { classifyBenchStep } from './classify-bench-step'
import { explainBenchStep } from './explain-bench-step'

export const BENCH_USAGE =
  'digit-studio bench [--preset seed|accurate|all] [--repeat N] [--batches N] [--cpu] [--json]'

/** Timed training batches by default: ~2,500 samples, a few seconds on the fallback, after 3 warm-up batches. */
const DEFAULT_BATCHES = 20
/** Batch 128: what the presets' defaults and the PyTorch peer (scripts/pytorch-peer.py) use. */
const BATCH_SIZE = 128

/**
 * Trains and runs `preset` `repeat` times in one engine; the figures are medians, with the
 * min/median/max of training and inference beside them.
 */
async function measurePreset(
  engine: EngineClient,
  preset: BenchPreset,
  options: BenchOptions & { repeat: number }
): Promise<BackendFigures> {
  const results = []
  for (let i = 0; i < options.repeat; i++)
    results.push(
      await engine.request('bench:run', { preset, batches: options.batches, batchSize: BATCH_SIZE })
    )
  const train = spread(results.map((r) => r.trainSamplesPerSecond))
  const oneThread = spread(results.map((r) => r.trainSamplesPerSecondOneThread))
  const infer = spread(results.map((r) => r.inferSamplesPerSecond))
  const last = results.at(-1)!
  return {
    backendReason: last.backendReason,
    preset,
    batchSize: last.batchSize,
    trainBatches: last.trainBatches,
    repeat: options.repeat,
    trainSamplesPerSecond: train.median,
    trainThreads: last.trainThreads,
    trainSamplesPerSecondOneThread: oneThread.median,
    inferSamplesPerSecond: infer.median,
    train,
    infer,
    peakRssBytes: Math.max(...results.map((r) => r.peakRssBytes))
  }
}

/**
 * Forks an engine forced onto `backend` and measures every preset in it (the classify latency
 * with the seed preset); an engine that can't start makes every preset "unavailable".
 */
async function benchBackend(
  backend: BackendKind,
  presets: readonly BenchPreset[],
  options: BenchOptions & { repeat: number },
  report: (r: BenchReport) => void
): Promise<void> {
  const engine = forkEngine({ env: { DIGIT_STUDIO_BACKEND: backend } })
  // Ctrl-C or a kill of the CLI ends this engine too (RELIABILITY T4).
  const release = guardEngine(engine)
  try {
    try {
      await engine.ready()
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err)
      for (const preset of presets) report({ preset, backend, available: false, reason })
      return
    }
    for (const preset of presets) {
      const figures = await measurePreset(engine, preset, options)
      if (preset === 'seed') {
        // Latencies of the seed model's live uses: a dropped scan, and a draw-pad Inside update.
        Object.assign(figures, await classifyBenchStep.run(engine, options))
        Object.assign(figures, await explainBenchStep.run(engine, options))
      }
      report({ preset, backend, available: true, figures })
    }
  } finally {
    release()
    await engine.dispose()
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

const positiveInteger = (raw: string | undefined, flag: string, fallback: number): number => {
  const value = raw === undefined ? fallback : Number(raw)
  if (!Number.isInteger(value) || value < 1)
    throw new EngineError('BAD_REQUEST', `${flag} "${raw}" is not a positive integer`)
  return value
}

/**
 * `digit-studio bench`: training and inference throughput of the seed and accurate presets
 * (batch 128) on every backend available here, side by side. `--preset` picks one (default
 * `all`), `--backend` one backend, `--repeat N` repeats each measurement (medians with min-max). `--json` prints a line per
 * backend and preset, then `{"type":"bench","presets":{preset:{backend:figures}},…}`.
 */
export async function runBench(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string', default: 'all' },
      repeat: { type: 'string' },
      batches: { type: 'string' },
      cpu: { type: 'boolean', default: false },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  const batches = positiveInteger(values.batches, '--batches', DEFAULT_BATCHES)
  const repeat = positiveInteger(values.repeat, '--repeat', 1)
  const presets: readonly BenchPreset[] =
    values.preset === 'all' ? BENCH_PRESETS : BENCH_PRESETS.filter((p) => p === values.preset)
  if (presets.length === 0)
    throw new EngineError(
      'BAD_REQUEST',
      `--preset "${values.preset}" is not one of ${BENCH_PRESETS.join(', ')}, all`
    )
  // cpu is pure JavaScript and ~20x slower: measured only on request.
  const all: BackendKind[] = values.cpu ? ['native', 'wasm', 'cpu'] : ['native', 'wasm']
  // --backend: that one only (the peer ratio measures one backend right before the peer).
  if (values.backend !== undefined && !['native', 'wasm', 'cpu'].includes(values.backend))
    throw new EngineError(
      'BAD_REQUEST',
      `--backend "${values.backend}" is not one of native, wasm, cpu`
    )
  const backends = values.backend === undefined ? all : [values.backend as BackendKind]
  const m = machine()
  if (!values.json)
    process.stdout.write(
      `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGB} GB, Node ${m.node}, ${m.platform}
` +
        `Presets ${presets.join(' and ')}, batch ${BATCH_SIZE}, ${batches} timed batches after 3 warm-up` +
        (repeat > 1 ? `, ${repeat} repeats (median, min-max)` : '') +
        '\n'
    )
  const reports: BenchReport[] = []
  for (const backend of backends) {
    // One backend at a time: measured side by side they would share the same two cores.
    await benchBackend(backend, presets, { batches, repeat }, (report) => {
      reports.push(report)
      process.stdout.write(
        (values.json ? JSON.stringify({ type: 'backend', ...report }) : formatReport(report)) + '\n'
      )
    })
  }
  if (values.json) {
    const presetMap = byPreset(reports)
    process.stdout.write(
      JSON.stringify({
        type: 'bench',
        machine: m,
        batches,
        batchSize: BATCH_SIZE,
        repeat,
        // The first preset measured under its old name, for readers of a single-preset bench.
        preset: presets[0],
        backends: presetMap[presets[0]],
        presets: presetMap
      }) + '\n'
    )
  }
  return reports.some((r) => r.available) ? 0 : 2
}
