/**
 * Successive halving against the full grid, on the same space, data and seed (issue 14's
 * measurement): both run through `digit-studio tune --json`, and the table compares the best
 * validation accuracy each found with the training images each processed (compute = images
 * processed, summed over every trial and rung).
 *
 *   node --import tsx scripts/study-compare.ts [--preset fast] [--train-limit 10000]
 *     [--validation-images 5000] [--seed 42] [--backend native|wasm]
 */
import { execFile } from 'node:child_process'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { promisify } from 'node:util'

const run = promisify(execFile)
const BIN = join(import.meta.dirname, '..', 'bin', 'digit-studio.mjs')

const { values } = parseArgs({
  options: {
    preset: { type: 'string', default: 'fast' },
    'train-limit': { type: 'string', default: '10000' },
    'validation-images': { type: 'string', default: '5000' },
    seed: { type: 'string', default: '42' },
    backend: { type: 'string' }
  }
})

/** 3 rates x 2 batch sizes x 2 widths = 12 configurations, 3 epochs each. */
const SPACE = {
  learningRate: { values: [5e-4, 2e-3, 8e-3] },
  batchSize: { values: [64, 128] },
  widthMultiplier: { values: [1, 2] },
  epochs: { values: [3] }
}

interface Done {
  best: { trial: number; params: Record<string, unknown>; valAccuracy: number } | null
  trials: number
  imagesProcessed: number
}

async function study(
  strategy: string,
  dir: string,
  spaceFile: string
): Promise<Done & { seconds: number }> {
  const started = performance.now()
  const args = [
    BIN,
    'tune',
    '--preset',
    values.preset!,
    '--space',
    spaceFile,
    '--strategy',
    strategy,
    '--train-limit',
    values['train-limit']!,
    '--validation-images',
    values['validation-images']!,
    '--seed',
    values.seed!,
    '--study',
    join(dir, strategy),
    '--json',
    ...(values.backend ? ['--backend', values.backend] : [])
  ]
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 2 ** 20 })
  const last = stdout.trim().split('\n').at(-1)!
  const done = JSON.parse(last) as Done & { type: string }
  if (done.type !== 'study-done') throw new Error(`unexpected last line: ${last}`)
  return { ...done, seconds: (performance.now() - started) / 1000 }
}

const dir = await mkdtemp(join(tmpdir(), 'study-compare-'))
const spaceFile = join(dir, 'space.json')
await writeFile(spaceFile, JSON.stringify(SPACE))
const grid = await study('grid', dir, spaceFile)
const halving = await study('halving', dir, spaceFile)
const pct = (x: number | undefined): string => (x === undefined ? '-' : `${(x * 100).toFixed(2)} %`)
const row = (name: string, r: Done & { seconds: number }): string =>
  `| ${name} | ${r.trials} | ${pct(r.best?.valAccuracy)} | ${JSON.stringify(r.best?.params ?? null).replace(/"/g, '')} | ${r.imagesProcessed.toLocaleString('en-US')} | ${((r.imagesProcessed / grid.imagesProcessed) * 100).toFixed(1)} % | ${r.seconds.toFixed(0)} s |`
console.log(
  `Space: ${JSON.stringify(SPACE)}; preset ${values.preset}, ${values['train-limit']} training / ${values['validation-images']} validation images, seed ${values.seed}`
)
console.log(
  '| strategy | trials | best validation accuracy | best configuration | training images processed | of the grid | wall time |'
)
console.log('|---|---|---|---|---|---|---|')
console.log(row('grid', grid))
console.log(row('successive halving', halving))
const gap = ((grid.best?.valAccuracy ?? 0) - (halving.best?.valAccuracy ?? 0)) * 100
console.log(
  `Halving is ${gap.toFixed(2)} points below the grid's best, with ${((halving.imagesProcessed / grid.imagesProcessed) * 100).toFixed(1)} % of its training images.`
)
