/**
 * The starter model shipped with the app (issue 16): a float16 TF.js folder plus `starter.json`,
 * made by scripts/train-starter.ts. It is the current model only while the data home has no
 * finished run, so a first-time user can classify before training anything.
 *
 * Where it is: `DIGIT_STUDIO_STARTER_MODEL` when set (the packaged app passes
 * `<resourcesPath>/starter-model`, since the app's code sits in an asar archive and the folder is
 * an extra resource beside it; an empty value means "no starter model"), else
 * `resources/starter-model` of the checkout. That folder is three levels above both this source
 * file (src/engine/store/) and the built engine (out/main/engine/worker.js), so one relative path
 * serves the CLI, the tests and an unpackaged Electron build.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { StarterModelInfo } from '#shared/protocol/models'
import { STARTER_MODEL_ENV, STARTER_MODEL_FOLDER } from '#shared/starter-model'
import { MODEL_JSON } from './model-io'

const STARTER_JSON = 'starter.json'

/** The starter model folder, or null when it is switched off; the folder may still be missing. */
export function starterModelDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromEnv = env[STARTER_MODEL_ENV]
  if (fromEnv !== undefined) return fromEnv === '' ? null : resolve(fromEnv)
  const here = dirname(fileURLToPath(import.meta.url))
  return join(here, '..', '..', '..', 'resources', STARTER_MODEL_FOLDER)
}

/** The starter model folder when it holds a model, else null. */
export function findStarterModel(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = starterModelDir(env)
  return dir && existsSync(join(dir, MODEL_JSON)) ? dir : null
}

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null)

/**
 * What `starter.json` says. A missing or unreadable file gives nulls rather than an error: the
 * weights still classify, the app just can't state their accuracy.
 */
export async function readStarterInfo(dir: string): Promise<StarterModelInfo> {
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(await readFile(join(dir, STARTER_JSON), 'utf8')) as Record<string, unknown>
  } catch {
    // Falls through to nulls.
  }
  return {
    testAccuracy: num(json.testAccuracyFloat16) ?? num(json.testAccuracy),
    testAccuracyFloat32: num(json.testAccuracy),
    weightBytes: num(json.weightBytes),
    date: typeof json.date === 'string' ? json.date : null
  }
}
