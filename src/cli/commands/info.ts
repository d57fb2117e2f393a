import { parseArgs } from 'node:util'
import { backendEnv, withEngine } from '../engine-session'
import type { EngineInfo, ModelInUse } from '#shared/protocol/info'

export const INFO_USAGE = 'digit-studio info [--backend native|wasm|cpu] [--json]'

/** One line naming the model used when none is given: whose it is, its accuracy, its folder. */
export function describeModelInUse(model: ModelInUse | null): string {
  if (!model) return 'none yet: train one (digit-studio train) or pass --model DIR'
  const who =
    model.source === 'starter'
      ? 'starter model shipped with the app (your first finished run replaces it)'
      : model.source === 'imported'
        ? 'imported'
        : 'your last trained model'
  const architecture = model.architecture ? ` (architecture ${model.architecture})` : ''
  const accuracy =
    model.testAccuracy === null ? '' : `, ${(model.testAccuracy * 100).toFixed(2)} % MNIST test`
  return `${who}${architecture}${accuracy}: ${model.dir}`
}

/** Formats the engine status the way the app's status panel shows it. */
function formatInfo(info: EngineInfo): string {
  const n = (x: number): string => x.toLocaleString('en-US')
  return [
    `Digit Studio ${info.appVersion}`,
    `Backend:  ${info.backend} (${info.backendName}) - ${info.backendReason}`,
    `Dataset:  ${info.dataset.name}: ${n(info.dataset.train)} train / ${n(info.dataset.test)} test, ${info.dataset.embedded ? 'embedded' : info.dataset.source}`,
    `Model:    ${describeModelInUse(info.model)}`,
    `Versions: Node ${info.nodeVersion}, tfjs ${info.tfjsVersion}`
  ].join('\n')
}

/** `digit-studio info`: which backend the engine picked and why, the dataset, the model in use, versions. */
export async function runInfo(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, backend: { type: 'string' } }
  })
  const info = await withEngine(backendEnv(values.backend), (engine) =>
    engine.request('engine:info', {})
  )
  process.stdout.write((values.json ? JSON.stringify(info) : formatInfo(info)) + '\n')
  return 0
}
