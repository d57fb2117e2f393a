#!/usr/bin/env node
/**
 * `npm run test:native`: the engine-level tests again, on the native backend
 * (DIGIT_STUDIO_BACKEND=native): the unit tests that start an engine (in a child process or in the
 * test process), the CLI tests and the Chromium e2e of the engine-driven screens. `npm test` runs everything once on the
 * backend the engine picks (CI pins wasm there); this pass proves the same behaviour on
 * libtensorflow. The wasm kernel tests (gradients*.test.ts) stay on wasm and are not repeated.
 *
 *   node scripts/test-native.mjs [--skip-build]
 *
 * Exits 1 with the reason when native doesn't load here (`npm run native -- --check`).
 * `--skip-build` reuses out/ from an earlier `electron-vite build` (CI's first pass made one).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../', import.meta.url))

/** Unit test files that start the engine, the CLI or tfjs in-process: the native pass runs these. */
export const ENGINE_UNIT_TESTS = [
  'test/unit/engine-host.test.ts',
  'test/unit/ipc.test.ts',
  'test/unit/engine-process.test.ts',
  'test/unit/train.test.ts',
  'test/unit/train-recalibration.test.ts',
  'test/unit/cli-train.test.ts',
  'test/unit/classify-cli.test.ts',
  'test/unit/export-cli.test.ts',
  'test/unit/augment.test.ts',
  'test/unit/models.test.ts',
  'test/unit/seeded-dropout.test.ts',
  'test/unit/model-io.test.ts',
  'test/unit/predictions-store.test.ts',
  'test/unit/import-model.test.ts',
  'test/unit/export-tfjs.test.ts',
  'test/unit/onnx-export.test.ts',
  'test/unit/keras-export.test.ts',
  'test/unit/explain-engine.test.ts',
  'test/unit/explain-cli.test.ts',
  'test/unit/explain-inside.test.ts'
]

/**
 * Chromium e2e files whose screens drive the engine's backend-dependent work (training, reading
 * images, fine-tuning, explanations, a crash mid-run). The rest (navigation, galleries, forms,
 * studies' table) behave the same whatever computes the numbers, and pass 1 covers them; keeping
 * them out keeps CI's two passes inside its time budget.
 */
export const ENGINE_E2E_TESTS = [
  'test/e2e/training.test.ts',
  'test/e2e/classify.test.ts',
  'test/e2e/my-digits.test.ts',
  'test/e2e/inside.test.ts',
  'test/e2e/engine-crash.test.ts'
]

function run(command, args, env = {}) {
  console.log(`test:native: ${command} ${args.join(' ')}`)
  const r = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, ...env },
    shell: process.platform === 'win32'
  })
  return r.status ?? 1
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (run(process.execPath, ['scripts/native.mjs', '--check']) !== 0) {
    console.error('test:native: the native backend does not load here; run `npm run native` first')
    process.exit(1)
  }
  const native = { DIGIT_STUDIO_BACKEND: 'native' }
  const steps = [
    () => run('npx', ['vitest', 'run', '--project', 'unit', ...ENGINE_UNIT_TESTS], native),
    () => (process.argv.includes('--skip-build') ? 0 : run('npx', ['electron-vite', 'build'])),
    () => run('npx', ['vitest', 'run', '--project', 'e2e', ...ENGINE_E2E_TESTS], native)
  ]
  for (const step of steps) {
    const status = step()
    if (status !== 0) process.exit(status)
  }
  console.log('test:native: engine-level tests passed on the native backend')
}
