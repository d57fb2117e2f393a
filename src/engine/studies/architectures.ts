/**
 * Which architectures a study may choose among: the presets and the user's saved named models
 * (Keras JSON in the data home, store/architectures.ts), looked up by name.
 */
import { EngineError } from '#shared/errors'
import type { ModelSpec } from '#shared/model-spec/schema'
import { PRESETS, type PresetName } from '#shared/protocol/training'
import { architectureByName } from '../store/architectures'

/** What a trial with architecture `name` trains: a preset, or a saved spec on top of `base`. */
interface ResolvedArchitecture {
  preset: PresetName
  architecture?: ModelSpec
}

/** Resolves `name` among presets and saved architectures, or a BAD_REQUEST naming the field. */
export async function resolveArchitecture(
  name: string,
  base: PresetName,
  field = 'space.architecture',
  /** The study's own base architecture (`tune --model-spec`), found by its name first. */
  baseSpec?: ModelSpec
): Promise<ResolvedArchitecture> {
  if (baseSpec && name === baseSpec.name) return { preset: base, architecture: baseSpec }
  if ((PRESETS as readonly string[]).includes(name)) return { preset: name as PresetName }
  try {
    return { preset: base, architecture: await architectureByName(name) }
  } catch (err) {
    throw new EngineError('BAD_REQUEST', `${field}: ${(err as Error).message}`)
  }
}
