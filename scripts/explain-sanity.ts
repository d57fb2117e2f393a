/**
 * Prints the measured figures of the saliency sanity checks (test/fixtures/explain-sanity.ts) as
 * one JSON object; the README's table comes from it.
 *
 *   node --import tsx scripts/explain-sanity.ts [MODEL_DIR] [--digits 100] [--backend wasm|native|cpu]
 *
 * MODEL_DIR defaults to the last trained model (what `digit-studio explain` uses).
 */
import { parseArgs } from 'node:util'
import { requestedBackend, selectBackend } from '#engine/backend/selection'
import { lastModelDir } from '#engine/store/paths'
import { measureSanity } from '../test/fixtures/explain-sanity'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { digits: { type: 'string', default: '100' }, backend: { type: 'string' } }
})
const backend = await selectBackend(
  requestedBackend(values.backend ? { DIGIT_STUDIO_BACKEND: values.backend } : process.env)
)
const modelDir = positionals[0] ?? lastModelDir()
const started = performance.now()
const report = await measureSanity(modelDir, Number(values.digits), undefined, (line) =>
  process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s  ${line}\n`)
)
console.log(JSON.stringify({ modelDir, backend: backend.kind, ...report }, null, 1))
