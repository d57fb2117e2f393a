/**
 * The path fields of every channel that carries one (RELIABILITY R3), and the check main runs on
 * them before a call reaches the engine. One table, so a path field can't be forgotten in one
 * handler while checked in another.
 */
import type { IpcChannel } from '#shared/ipc-contract'
import type { PathGrants } from './path-grants'

type Params = Record<string, unknown> | undefined
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined)
const folderOf = (source: unknown): string | undefined =>
  (source as { kind?: unknown } | undefined)?.kind === 'folder'
    ? str((source as { path?: unknown }).path)
    : undefined

/** Each channel's path fields, by name, read from its already schema-checked params. */
const PATH_FIELDS: Partial<Record<IpcChannel, (p: Params) => Record<string, string | undefined>>> =
  {
    'model:export': (p) => ({ out: str(p?.out), modelDir: str(p?.modelDir) }),
    'model:import': (p) => ({ path: str(p?.path) }),
    'training:start': (p) => ({
      'dataset.path': folderOf(p?.dataset),
      outDir: str(p?.outDir),
      resumeFrom: str(p?.resumeFrom),
      fromModel: str(p?.fromModel),
      addImages: str(p?.addImages)
    }),
    'digits:export': (p) => ({ out: str(p?.out) }),
    'classify:images': (p) => ({
      'options.modelDir': str((p?.options as Params)?.modelDir)
    }),
    'dataset:describe': (p) => ({ 'source.path': folderOf(p?.source) }),
    'study:start': (p) => ({ studyDir: str(p?.studyDir) }),
    'study:get': (p) => ({ dir: str(p?.dir) })
  }

/** The channels that carry paths (the guard tests walk them all). */
export const PATH_CHANNELS = Object.keys(PATH_FIELDS) as IpcChannel[]

/** Checks a call's paths; resolves with why it is refused, or null. */
export type PathCheck = (channel: IpcChannel, params: unknown) => Promise<string | null>

/** The path check for `grants`: every path field must be one the user granted or in the data home. */
export function pathCheck(grants: PathGrants): PathCheck {
  return async (channel, params) => {
    const fields = PATH_FIELDS[channel]?.(params as Params) ?? {}
    for (const [field, path] of Object.entries(fields)) {
      if (path === undefined) continue
      const problem = await grants.problem(path)
      if (problem) return `${field}: ${problem}`
    }
    return null
  }
}
