/**
 * Resuming a run's checkpoint continues that run (RELIABILITY R4): it takes the configuration the
 * run saved (config.json in its folder), and a given setting that contradicts it is an error naming
 * the setting and its CLI flag. Only the epoch count may change. Starting from any other model
 * folder (an export, an import, the last model) is a new run and takes the given settings.
 */
import { readFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import * as v from 'valibot'
import { EngineError } from '#shared/errors'
import { RunIdSchema } from '#shared/protocol/models'
import {
  TRAIN_SETTING_FLAGS,
  TrainConfigSchema,
  type TrainConfig,
  type TrainSetting
} from '#shared/protocol/training'
import { runsDir } from '../store/run-folder'

/** Settings a resumed run may change: more (or fewer) epochs is what resuming is for. */
const MAY_CHANGE: readonly TrainSetting[] = ['epochs']

/** The run folder a resume path belongs to (its checkpoint/ or model/ folder), or null. */
function runFolderOf(resumeFrom: string): string | null {
  const dir = resolve(resumeFrom)
  const parent = dirname(dir)
  if (!['checkpoint', 'model'].includes(basename(dir))) return null
  if (dirname(parent) !== resolve(runsDir()) || !v.is(RunIdSchema, basename(parent))) return null
  return parent
}

async function savedConfig(runFolder: string): Promise<TrainConfig | null> {
  const file = join(runFolder, 'config.json')
  let raw: string
  try {
    raw = await readFile(file, 'utf8')
  } catch {
    // A run folder from before config.json was written: nothing to continue, a new run it is.
    return null
  }
  let parsed: v.SafeParseResult<typeof TrainConfigSchema>
  try {
    parsed = v.safeParse(TrainConfigSchema, JSON.parse(raw))
  } catch (err) {
    throw new EngineError('BAD_REQUEST', `${file}: not valid JSON (${(err as Error).message})`)
  }
  if (!parsed.success)
    throw new EngineError('BAD_REQUEST', `${file}: not a run configuration this version reads`)
  return parsed.output
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)

/**
 * The configuration a run really trains with: `config` itself for a fresh run or one started from
 * a plain model folder; for a run's checkpoint, the run's saved configuration with the given epoch
 * count (and the new output folder). BAD_REQUEST naming the setting when a given one contradicts it.
 */
export async function effectiveConfig(config: TrainConfig): Promise<TrainConfig> {
  const folder = config.resumeFrom ? runFolderOf(config.resumeFrom) : null
  const saved = folder ? await savedConfig(folder) : null
  if (!saved || !folder) return config
  const given = config.givenSettings ?? (Object.keys(TRAIN_SETTING_FLAGS) as TrainSetting[])
  for (const setting of given) {
    if (MAY_CHANGE.includes(setting) || same(config[setting], saved[setting])) continue
    throw new EngineError(
      'BAD_REQUEST',
      `${setting} (${TRAIN_SETTING_FLAGS[setting]}) is ${JSON.stringify(config[setting])}, but run ` +
        `${basename(folder)} was trained with ${JSON.stringify(saved[setting]) ?? 'none'}: resuming a ` +
        `run keeps its settings (only epochs may change); leave the flag out, or start a new run ` +
        `from an exported model`
    )
  }
  const epochs = given.includes('epochs') ? config.epochs : saved.epochs
  const { resumeFrom: _r, outDir: _o, givenSettings: _g, ...settings } = saved
  return {
    ...settings,
    epochs,
    resumeFrom: config.resumeFrom,
    ...(config.outDir ? { outDir: config.outDir } : {})
  }
}
