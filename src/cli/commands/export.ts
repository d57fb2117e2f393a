import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EngineError } from '#shared/errors'
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportParams,
  type ExportResult
} from '#shared/protocol/models'
import { backendEnv, withEngine } from '../engine-session'

export const EXPORT_USAGE =
  'digit-studio export [--model DIR | --run ID] --format tfjs|onnx|keras --out PATH [--backend native|wasm|cpu] [--json]'

const FORMAT_NAMES: Record<ExportFormat, string> = {
  tfjs: 'TF.js layers model',
  onnx: 'ONNX model',
  keras: 'Keras model'
}

/** `--format` wins; else the extension of `--out` says it (.onnx, .h5/.hdf5); a folder means TF.js. */
function formatFromArgs(format: string | undefined, out: string): ExportFormat {
  if (format !== undefined) {
    if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
      throw new EngineError(
        'BAD_REQUEST',
        `--format "${format}" is not one of ${EXPORT_FORMATS.join(', ')}`
      )
    }
    return format as ExportFormat
  }
  if (/\.onnx$/i.test(out)) return 'onnx'
  if (/\.(h5|hdf5|keras)$/i.test(out)) return 'keras'
  throw new EngineError(
    'BAD_REQUEST',
    `--format is required (tfjs, onnx or keras): "${out}" doesn't say which`
  )
}

/** Builds the export request; with neither --model nor --run, the engine uses the last trained model. */
function exportParamsFromArgs(argv: string[]): {
  params: ExportParams
  json: boolean
  backend?: string
} {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      model: { type: 'string' },
      run: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      backend: { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  if (!values.out) throw new EngineError('BAD_REQUEST', `--out PATH is required\n${EXPORT_USAGE}`)
  if (values.model && values.run)
    throw new EngineError('BAD_REQUEST', 'give --model or --run, not both')
  const params: ExportParams = {
    format: formatFromArgs(values.format, values.out),
    out: resolve(values.out)
  }
  // With neither, the engine exports its current model: the last trained one (NO_MODEL if none).
  if (values.run) params.runId = values.run
  else if (values.model) params.modelDir = resolve(values.model)
  return { params, json: values.json, backend: values.backend }
}

function size(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} kB`
}

/** One line per file written, then what the file says about the model. */
function formatExport(r: ExportResult): string {
  const acc =
    r.metadata.testAccuracy != null
      ? `, test accuracy ${(r.metadata.testAccuracy * 100).toFixed(2)} %`
      : ''
  // A custom architecture's metadata also names the form's preset, which isn't what was trained.
  const model = r.metadata.architecture
    ? `architecture ${r.metadata.architecture}`
    : r.metadata.preset
      ? `preset ${r.metadata.preset}`
      : 'model trained elsewhere'
  return [
    `Exported ${FORMAT_NAMES[r.format]} to ${r.path} (${size(r.bytes)}; ${model}${acc})`,
    ...r.files.map((f) => `  ${f}`)
  ].join('\n')
}

/** `digit-studio export`: writes a model as TF.js, ONNX or Keras, atomically. */
export async function runExport(argv: string[]): Promise<number> {
  const { params, json, backend } = exportParamsFromArgs(argv)
  const result = await withEngine(backendEnv(backend), (engine) =>
    engine.request('model:export', params).catch((err: unknown) => {
      // The engine's message says where it looked; only the CLI has a --model flag to suggest.
      if (err instanceof EngineError && err.code === 'NO_MODEL')
        throw new EngineError('NO_MODEL', `${err.message}, or pass --model DIR`)
      throw err
    })
  )
  process.stdout.write((json ? JSON.stringify(result) : formatExport(result)) + '\n')
  return 0
}
