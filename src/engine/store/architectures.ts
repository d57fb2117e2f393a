/**
 * Saved architectures: `<data home>/architectures/<name>.json`, each the Keras Sequential JSON of
 * the spec (a standard format a user can also hand to Keras). Written atomically; a file that no
 * longer reads is listed nowhere but named in the engine log instead of breaking the list.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import { analyseLayers } from '#shared/model-spec/analyse'
import { specFromKerasJson, specToKerasJson } from '#shared/model-spec/keras-json'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import type { ModelSpec } from '#shared/model-spec/schema'
import { RESERVED_ARCHITECTURE_NAMES, type NamedArchitecture } from '#shared/protocol/architectures'
import { PRESETS } from '#shared/protocol/training'
import { writeJsonAtomic } from './run-folder'
import { dataHome } from './paths'

/** Folder of the saved architectures. */
function architecturesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'architectures')
}

const fileOf = (name: string): string => join(architecturesDir(), `${name}.json`)

function named(spec: ModelSpec, kind: NamedArchitecture['kind']): NamedArchitecture {
  const a = analyseLayers(spec.layers)
  return {
    name: spec.name,
    kind,
    spec,
    totalParams: a.totalParams,
    mflopsPerImage: a.mflopsPerImage
  }
}

/** Reads one saved architecture; MODEL_INVALID naming the file when it is not a valid spec. */
async function readSaved(file: string): Promise<ModelSpec> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new EngineError('MODEL_INVALID', `${file}: not readable JSON (${(err as Error).message})`)
  }
  return specFromKerasJson(json, file)
}

/** The presets, then every saved architecture by name. */
export async function listArchitectures(
  log: (message: string) => void = () => undefined
): Promise<{ architectures: NamedArchitecture[]; dir: string }> {
  const dir = architecturesDir()
  const presets = PRESETS.map((p) => named(PRESET_SPECS[p], 'preset'))
  let files: string[] = []
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()
  } catch {
    // No folder yet: nothing saved.
  }
  const saved: NamedArchitecture[] = []
  for (const f of files) {
    try {
      const spec = await readSaved(join(dir, f))
      // The file name is the name (a copied file may carry another name inside).
      saved.push(named({ ...spec, name: f.slice(0, -'.json'.length) }, 'saved'))
    } catch (err) {
      log(`skipping saved architecture: ${(err as Error).message}`)
    }
  }
  return { architectures: [...presets, ...saved], dir }
}

/** A preset's spec, or a saved architecture's; MODEL_INVALID when neither has that name. */
export async function architectureByName(name: string): Promise<ModelSpec> {
  if ((PRESETS as readonly string[]).includes(name))
    return PRESET_SPECS[name as (typeof PRESETS)[number]]
  if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(name))
    throw new EngineError('MODEL_INVALID', `"${name}" is not an architecture name`)
  if (!existsSync(fileOf(name)))
    throw new EngineError(
      'MODEL_INVALID',
      `no architecture named "${name}": not a preset (${PRESETS.join(', ')}) nor saved in ${architecturesDir()}`
    )
  return { ...(await readSaved(fileOf(name))), name }
}

/** Saves (or replaces) an architecture under `name`, atomically. */
export async function saveArchitecture(
  name: string,
  spec: ModelSpec
): Promise<{ name: string; path: string }> {
  if (RESERVED_ARCHITECTURE_NAMES.includes(name))
    throw new EngineError('BAD_REQUEST', `"${name}" is a preset's name: choose another`)
  const path = fileOf(name)
  await writeJsonAtomic(path, specToKerasJson({ ...spec, name }))
  return { name, path }
}

/** Deletes a saved architecture; `deleted` is false when there was none by that name. */
export async function deleteArchitecture(name: string): Promise<{ deleted: boolean }> {
  try {
    await rm(fileOf(name))
    return { deleted: true }
  } catch {
    return { deleted: false }
  }
}
