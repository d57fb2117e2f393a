#!/usr/bin/env node
/**
 * Our training and inference speed next to PyTorch's, from one run: `digit-studio bench --json`
 * (the engine's own figure) and scripts/pytorch-peer.py (the same architecture, batch 128,
 * 2 threads, the same MNIST files), taken one after the other so both see the same machine
 * load, and the ratio. Issue 11's targets are ratios to this peer (native seed >= 1.3x).
 *
 *   node scripts/peer-ratio.mjs [--backend native|wasm] [--preset seed|accurate] [--repeat N]
 *                               [--batches N] [--json]
 *
 * With --repeat N each pair runs N times and min/median/max are printed; the ratio is taken per
 * pair. Our figure comes from `digit-studio bench --preset <preset> --json`.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const PEER = join(ROOT, 'scripts', 'pytorch-peer.py')
// Debian's python3-torch lives in the system Python; the peer re-executes itself there anyway.
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3'

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    preset: { type: 'string', default: 'seed' },
    repeat: { type: 'string', default: '1' },
    batches: { type: 'string' },
    json: { type: 'boolean', default: false }
  }
})
const repeat = Number(values.repeat)
if (!['native', 'wasm'].includes(values.backend)) usage(`--backend must be native or wasm`)
if (!['seed', 'accurate'].includes(values.preset)) usage(`--preset must be seed or accurate`)
if (!Number.isInteger(repeat) || repeat < 1) usage(`--repeat must be a positive integer`)
if (values.batches !== undefined && !/^[1-9]\d*$/.test(values.batches))
  usage(`--batches must be a positive integer`)

function usage(message) {
  console.error(`peer-ratio: ${message}`)
  process.exit(2)
}

/** Runs a command to completion and returns its output; stderr passes through (progress, logs). */
function capture(command, args) {
  const r = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20
  })
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error }
}

const lastJson = (text, type) =>
  text
    .trim()
    .split('\n')
    .map((l) => {
      try {
        return JSON.parse(l)
      } catch {
        return null
      }
    })
    .filter((o) => o && (type === undefined || o.type === type))
    .at(-1)

/**
 * Our figure: `digit-studio bench --preset <preset> --json`, which measures every backend on that
 * preset; the one asked for is picked from the `presets` map of its final `{"type":"bench",…}` line.
 */
function ours() {
  const args = [join(ROOT, 'bin', 'digit-studio.mjs'), 'bench', '--json', '--preset', values.preset]
  // Only the backend compared, so the peer runs right after it, under the same load.
  args.push('--backend', values.backend)
  if (values.batches) args.push('--batches', values.batches)
  const r = capture(process.execPath, args)
  const bench = lastJson(r.stdout, 'bench')
  if (!bench)
    return {
      error: `digit-studio bench failed (exit ${r.status}): ${r.stderr.trim().split('\n').at(-1)}`
    }
  const figures = bench.presets?.[values.preset]?.[values.backend]
  if (!figures || figures.available === false)
    return { error: `${values.backend} unavailable: ${figures?.reason ?? 'not in bench output'}` }
  return {
    train: figures.trainSamplesPerSecond,
    infer: figures.inferSamplesPerSecond,
    threads: figures.trainThreads,
    backendReason: figures.backendReason,
    machine: bench.machine
  }
}

/** The peer's figure: scripts/pytorch-peer.py --json. */
function peer() {
  const args = [PEER, '--preset', values.preset, '--json']
  if (values.batches) args.push('--batches', values.batches)
  const r = capture(PYTHON, args)
  const result = lastJson(r.stdout)
  if (r.status !== 0 || !result)
    return {
      error: `pytorch-peer failed (exit ${r.status}): ${r.stderr.trim().split('\n').at(-1) ?? r.error?.message}`
    }
  return {
    train: result.trainSamplesPerSecond,
    infer: result.inferSamplesPerSecond,
    threads: result.threads,
    torch: result.torch
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return {
    min: s[0],
    median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2,
    max: s.at(-1),
    n: s.length
  }
}
const fmt = (x) => Math.round(x).toLocaleString('en-US')
const fmtStats = (s, unit = '') =>
  s.n === 1
    ? `${fmt(s.median)}${unit}`
    : `${fmt(s.median)}${unit} (min ${fmt(s.min)}, max ${fmt(s.max)})`
const fmtRatio = (s) =>
  s.n === 1
    ? `${s.median.toFixed(2)}x`
    : `${s.median.toFixed(2)}x (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`

const runs = []
for (let i = 0; i < repeat; i++) {
  // Ours first, then the peer, each alone on the cores.
  const o = ours()
  const p = peer()
  runs.push({ ours: o, peer: p })
  if (!values.json) {
    const show = (r) => (r.error ? 'unavailable' : `train ${fmt(r.train)}  infer ${fmt(r.infer)}`)
    console.log(`run ${i + 1}/${repeat}: ours ${values.backend} ${show(o)} | pytorch ${show(p)}`)
  }
}

const ok = (side) => runs.map((r) => r[side]).filter((r) => !r.error)
const summary = { preset: values.preset, backend: values.backend, repeat, batchSize: 128 }
for (const kind of ['train', 'infer']) {
  const oursOk = ok('ours')
  const peerOk = ok('peer')
  const pairs = runs.filter((r) => !r.ours.error && !r.peer.error)
  summary[kind] = {
    ours: oursOk.length ? stats(oursOk.map((r) => r[kind])) : null,
    pytorch: peerOk.length ? stats(peerOk.map((r) => r[kind])) : null,
    ratio: pairs.length ? stats(pairs.map((r) => r.ours[kind] / r.peer[kind])) : null
  }
}
summary.oursError = runs.find((r) => r.ours.error)?.ours.error
summary.pytorchError = runs.find((r) => r.peer.error)?.peer.error
summary.torch = ok('peer')[0]?.torch
summary.machine = ok('ours')[0]?.machine

if (values.json) {
  console.log(JSON.stringify(summary))
} else {
  console.log(
    `${values.preset} preset, batch 128, ${values.backend} vs PyTorch ${summary.torch ?? '?'} CPU (2 threads), ${repeat} run${repeat > 1 ? 's' : ''}:`
  )
  for (const kind of ['train', 'infer']) {
    const s = summary[kind]
    console.log(
      `  ${kind.padEnd(5)} ours ${s.ours ? fmtStats(s.ours, ' samples/s') : 'n/a'} | pytorch ${s.pytorch ? fmtStats(s.pytorch, ' samples/s') : 'n/a'} | ratio ${s.ratio ? fmtRatio(s.ratio) : 'n/a'}`
    )
  }
  if (summary.oursError) console.log(`  ours: ${summary.oursError}`)
  if (summary.pytorchError) console.log(`  pytorch: ${summary.pytorchError}`)
}
process.exit(ok('peer').length || ok('ours').length ? 0 : 1)
