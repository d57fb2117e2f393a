#!/usr/bin/env node
/**
 * What the `accurate` preset's on-the-fly augmentation costs per training step: the same short
 * `digit-studio train` with and without `--no-augment`, interleaved (on, off, on, off, ...) so both
 * see the same machine load, and the extra time per sample it adds. Issues 11 and 13 ask for
 * augmentation costing <= 10 % on top of the step (native and wasm).
 *
 *   node scripts/augment-cost.mjs [--backend native|wasm] [--images N] [--repeat N] [--json]
 *
 * Each run trains one epoch on N images (default 12,800) with no validation split and a
 * 1,000-image test set, in a throw-away data home; the figure is the run's `samplesPerSecond`.
 */
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BIN = join(ROOT, 'bin', 'digit-studio.mjs')

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'native' },
    images: { type: 'string', default: '12800' },
    repeat: { type: 'string', default: '3' },
    json: { type: 'boolean', default: false }
  }
})
const repeat = Number(values.repeat)
if (!['native', 'wasm'].includes(values.backend)) usage('--backend must be native or wasm')
if (!/^[1-9]\d*$/.test(values.images)) usage('--images must be a positive integer')
if (!Number.isInteger(repeat) || repeat < 1) usage('--repeat must be a positive integer')

function usage(message) {
  console.error(`augment-cost: ${message}`)
  process.exit(2)
}

/** One short accurate run; returns its samples per second. */
function train(augment) {
  const home = mkdtempSync(join(tmpdir(), 'ds-augment-cost-'))
  try {
    const args = [
      BIN,
      'train',
      '--preset',
      'accurate',
      augment ? '--augment' : '--no-augment',
      '--epochs',
      '1',
      '--train-limit',
      values.images,
      '--validation-split',
      '0',
      '--test-limit',
      '1000',
      '--backend',
      values.backend,
      '--json'
    ]
    const r = spawnSync(process.execPath, args, {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, DIGIT_STUDIO_HOME: home, DIGIT_STUDIO_STARTER_MODEL: '' }
    })
    const done = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((e) => e.type === 'done')
    if (r.status !== 0 || !done) {
      console.error(`augment-cost: train failed (exit ${r.status}):\n${r.stderr}`)
      process.exit(1)
    }
    return done.samplesPerSecond
  } finally {
    rmSync(home, { recursive: true, force: true })
  }
}

const on = []
const off = []
for (let i = 0; i < repeat; i++) {
  on.push(train(true))
  off.push(train(false))
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
// Time per sample is 1 / speed; the cost is the extra time augmentation adds, relative to none.
const cost = median(off) / median(on) - 1
const report = { backend: values.backend, images: Number(values.images), on, off, cost }
if (values.json) console.log(JSON.stringify(report))
else {
  const fmt = (xs) => xs.map((x) => Math.round(x).toLocaleString('en')).join(', ')
  console.log(`accurate, ${values.backend}, ${values.images} images per run, ${repeat} pairs`)
  console.log(`augmentation on   ${fmt(on)} samples/s`)
  console.log(`augmentation off  ${fmt(off)} samples/s`)
  console.log(`augmentation adds ${(cost * 100).toFixed(1)} % to the time per sample (medians)`)
}
