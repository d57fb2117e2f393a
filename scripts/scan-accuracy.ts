/**
 * Accuracy of a trained model on generated scans (test/fixtures/accuracy.ts): single digits and
 * five-digit strips, with our preprocessing and with the naive "squash the picture" recipe. Prints
 * one JSON object; the README's scan-accuracy table comes from it.
 *
 *   node --import tsx scripts/scan-accuracy.ts [MODEL_DIR] [--singles 300] [--strips 40]
 *
 * MODEL_DIR defaults to the last trained model (what `digit-studio classify` uses).
 */
import { parseArgs } from 'node:util'
import { lastModelDir } from '#engine/store/paths'
import { measureAccuracy } from '../test/fixtures/accuracy'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    singles: { type: 'string', default: '300' },
    strips: { type: 'string', default: '40' }
  }
})
const modelDir = positionals[0] ?? lastModelDir()
const report = await measureAccuracy(modelDir, Number(values.singles), Number(values.strips))
console.log(JSON.stringify({ modelDir, ...report }))
