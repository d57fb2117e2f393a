/**
 * Which architectures a study may choose among. Today: the presets. Issue 14 part 1 adds saved
 * named models (Keras JSON in the data home); `resolveArchitecture` is the one place they plug in.
 */
import { EngineError } from '#shared/errors'
import { PRESETS, type PresetName } from '#shared/protocol/training'

/**
 * The preset a trial with architecture `name` trains, or a BAD_REQUEST naming the field.
 * MERGE POINT (lead): after the saved-models branch lands, look `name` up among the saved named
 * models here as well and return what the trial's model factory needs.
 */
export function resolveArchitecture(name: string, field = 'space.architecture'): PresetName {
  if ((PRESETS as readonly string[]).includes(name)) return name as PresetName
  throw new EngineError(
    'BAD_REQUEST',
    `${field}: "${name}" is not an architecture here (presets: ${PRESETS.join(', ')})`
  )
}
