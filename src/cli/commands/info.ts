import { parseArgs } from 'node:util'
import { backendEnv, withEngine } from '../engine-session'
import type { EngineInfo } from '#shared/protocol/info'

export const INFO_USAGE = 'digit-studio info [--backend native|wasm|cpu] [--json]'

/** Formats the engine status the way the app's status panel shows it. */
function formatInfo(info: EngineInfo): string {
  const n = (x: number): string => x.toLocaleString('en-US')
  return [
    `Digit Studio ${info.appVersion}`,
    `Backend:  ${info.backend} (${info.backendName}) - ${info.backendReason}`,
    `Dataset:  ${info.dataset.name}: ${n(info.dataset.train)} train / ${n(info.dataset.test)} test, ${info.dataset.embedded ? 'embedded' : info.dataset.source}`,
    `Versions: Node ${info.nodeVersion}, tfjs ${info.tfjsVersion}`
  ].join('\n')
}

/** `digit-studio info`: which backend the engine picked and why, the dataset, versions. */
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
