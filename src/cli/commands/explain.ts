import { mkdir, writeFile } from 'node:fs/promises'
import { basename, extname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EngineError, type SerializedError } from '#shared/errors'
import { IMAGE_SIZE, NUM_CLASSES } from '#shared/mnist'
import { DEFAULT_MIN_SPECK_AREA } from '#shared/protocol/classify'
import { EXPLAIN_METHODS, type ExplainMethod, type ExplainedDigit } from '#shared/protocol/explain'
import { backendEnv, withEngine } from '../engine-session'
import { heatmapPng } from '../heatmap-png'
import { readInput } from './classify'

export const EXPLAIN_USAGE =
  'digit-studio explain FILE... [--model DIR] [--target N] [--method smoothgrad|ig|occlusion] [--out DIR] [--json] [--min-speck N] [--backend native|wasm|cpu]'

/** One `--json` line: a digit's explanation, or a file's error. */
export type ExplainJsonLine =
  | {
      file: string
      index: number
      label: number
      target: number
      method: ExplainMethod
      saliency: number[][]
      input: number[][]
      layers: { name: string; shape: number[]; mean: number; max: number }[]
      png?: string
    }
  | { file: string; error: SerializedError }

/** 784 values as 28 rows of 28, each rounded to `digits` significant digits to keep lines short. */
function rows(values: ArrayLike<number>, digits: number): number[][] {
  return Array.from({ length: IMAGE_SIZE }, (_, y) =>
    Array.from({ length: IMAGE_SIZE }, (_, x) =>
      Number(values[y * IMAGE_SIZE + x].toPrecision(digits))
    )
  )
}

/** The `--json` line of one explained digit. */
function toExplainJsonLine(file: string, digit: ExplainedDigit, png?: string): ExplainJsonLine {
  const e = digit.explanation
  return {
    file,
    index: digit.index,
    label: e.label,
    target: e.target,
    method: e.method,
    saliency: rows(e.saliency, 4),
    input: rows(e.input, 3),
    layers: e.layers.map(({ name, shape, mean, max }) => ({ name, shape, mean, max })),
    ...(png ? { png } : {})
  }
}

function parseOptions(values: Record<string, string | boolean | undefined>): {
  target?: number
  method: ExplainMethod
  minSpeckArea: number
} {
  const target = values.target === undefined ? undefined : Number(values.target)
  if (target !== undefined && !(Number.isInteger(target) && target >= 0 && target < NUM_CLASSES))
    throw new EngineError(
      'BAD_REQUEST',
      `--target must be a digit 0-9, got "${String(values.target)}"`
    )
  const method = (values.method ?? 'smoothgrad') as ExplainMethod
  if (!EXPLAIN_METHODS.includes(method))
    throw new EngineError(
      'BAD_REQUEST',
      `--method must be one of ${EXPLAIN_METHODS.join(', ')}, got "${String(values.method)}"`
    )
  const minSpeckArea =
    values['min-speck'] === undefined ? DEFAULT_MIN_SPECK_AREA : Number(values['min-speck'])
  if (!Number.isInteger(minSpeckArea) || minSpeckArea < 0)
    throw new EngineError(
      'BAD_REQUEST',
      `--min-speck must be a whole number of pixels, got "${String(values['min-speck'])}"`
    )
  return { target, method, minSpeckArea }
}

/**
 * `digit-studio explain FILE...`: finds the digits of each file as `classify` does and explains
 * each with a saliency map; `--out DIR` writes the heatmap over each digit as a PNG. Exit code 1
 * when any file failed; a bad file never stops the others.
 */
export async function runExplain(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string' },
      target: { type: 'string' },
      method: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false },
      'min-speck': { type: 'string' },
      backend: { type: 'string' }
    }
  })
  if (positionals.length === 0)
    throw new EngineError('BAD_REQUEST', `no files given\nUsage: ${EXPLAIN_USAGE}`)
  const { target, method, minSpeckArea } = parseOptions(values)
  const modelDir = values.model ? resolve(values.model) : undefined
  const outDir = values.out ? resolve(values.out) : undefined
  if (outDir) await mkdir(outDir, { recursive: true })
  let failed = 0
  const say = (line: string): boolean => process.stdout.write(line + '\n')
  const fail = (file: string, error: SerializedError): void => {
    failed++
    say(
      values.json
        ? JSON.stringify({ file, error })
        : `${file}: error ${error.code}: ${error.message}`
    )
  }
  await withEngine(backendEnv(values.backend), async (engine) => {
    if (!values.json) {
      const info = await engine.request('engine:info', {})
      process.stderr.write(`Backend: ${info.backend} (${info.backendReason})\n`)
    }
    for (const path of positionals) {
      const input = await readInput(path)
      if ('error' in input) {
        fail(path, input.error)
        continue
      }
      const { result } = await engine.request('explain:image', {
        file: input,
        target,
        method,
        modelDir,
        minSpeckArea,
        views: false,
        contrast: false
      })
      if (!result.ok) {
        fail(path, result.error)
        continue
      }
      for (const digit of result.digits) {
        let png: string | undefined
        if (outDir) {
          png = join(outDir, `${basename(path, extname(path))}-${digit.index}.png`)
          await writeFile(png, heatmapPng(digit.explanation.input, digit.explanation.saliency))
        }
        const e = digit.explanation
        say(
          values.json
            ? JSON.stringify(toExplainJsonLine(path, digit, png))
            : `${path} #${digit.index}: ${e.label} (${(e.probabilities[e.label] * 100).toFixed(0)}%), ` +
                `${e.method} map of ${e.target}${png ? ` -> ${png}` : ''}`
        )
      }
    }
  })
  return failed > 0 ? 1 : 0
}
