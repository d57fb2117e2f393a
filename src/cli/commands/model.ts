import { parseArgs } from 'node:util'
import { EngineError } from '#shared/errors'
import { PRESETS } from '#shared/protocol/training'
import { backendEnv, withEngine } from '../engine-session'
import { formatArchitecture, formatArchitectureList } from '../format-architecture'
import { checkModelSpecArg } from '../model-spec-arg'

export const MODEL_USAGE =
  'digit-studio model [--preset seed|fast|accurate | --model-spec FILE.json|NAME] [--batch-size N] ' +
  '[--save NAME] [--delete NAME] [--list] [--json]'

/**
 * `digit-studio model`: checks an architecture (a preset, a Keras JSON file, a saved name) and
 * prints its layers, shapes, parameters, MFLOPs and memory; with --json the Keras JSON that tfjs
 * and Keras 3 load. --save keeps it in the data home, listed with the presets (--list).
 * Exit 0 when it can be trained, 2 when not (the reason names the layer).
 */
export async function runModel(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      preset: { type: 'string' },
      'model-spec': { type: 'string' },
      'batch-size': { type: 'string' },
      save: { type: 'string' },
      delete: { type: 'string' },
      list: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      backend: { type: 'string' }
    },
    strict: true
  })
  if (values.preset && values['model-spec'])
    throw new EngineError('BAD_REQUEST', 'give --preset or --model-spec, not both')
  if (values.preset && !(PRESETS as readonly string[]).includes(values.preset))
    throw new EngineError(
      'BAD_REQUEST',
      `--preset "${values.preset}" is not one of ${PRESETS.join(', ')}`
    )
  const batch = values['batch-size'] === undefined ? undefined : Number(values['batch-size'])
  if (batch !== undefined && !Number.isInteger(batch))
    throw new EngineError(
      'BAD_REQUEST',
      `--batch-size "${values['batch-size']}" is not a whole number`
    )
  return withEngine(backendEnv(values.backend), async (engine) => {
    if (values.delete) {
      const { deleted } = await engine.request('architectures:delete', { name: values.delete })
      if (!deleted) throw new EngineError('BAD_REQUEST', `no saved architecture "${values.delete}"`)
      process.stdout.write(`Deleted ${values.delete}\n`)
      return 0
    }
    if (values.list) {
      const { architectures, dir } = await engine.request('architectures:list', {})
      process.stdout.write(
        (values.json ? JSON.stringify(architectures) : formatArchitectureList(architectures, dir)) +
          '\n'
      )
      return 0
    }
    const check = await checkModelSpecArg(
      engine,
      values['model-spec'] ?? values.preset ?? 'seed',
      batch
    )
    if (values.json && !check.problem)
      process.stdout.write(JSON.stringify(check.keras, null, 2) + '\n')
    else process.stdout.write(formatArchitecture(check) + '\n')
    if (check.problem) {
      process.stderr.write(`digit-studio model: MODEL_INVALID: ${check.problem}\n`)
      return 2
    }
    if (values.save) {
      const saved = await engine.request('architectures:save', {
        name: values.save,
        spec: check.spec
      })
      process.stderr.write(`Saved as ${saved.name}: ${saved.path}\n`)
    }
    return 0
  })
}
