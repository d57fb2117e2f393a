/**
 * Writing an export where the user asked: through a temporary sibling (same folder, so the final
 * rename is atomic), fsync, rename (RELIABILITY D4); and turning file-system failures into
 * messages a user can act on ("folder is read-only") instead of a bare errno.
 */
import { constants, existsSync } from 'node:fs'
import { access, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { EngineError } from '#shared/errors'
// One owner of temp names and fsync, so sweepTempFiles and the exports agree on what a leftover is.
import { fsyncPath, tempSibling } from '../store/atomic-write'

/**
 * Lets `write` produce the file at a temp path (for libraries that write to a path themselves,
 * like h5wasm), then flushes and renames it over `target`. The temp file is removed on failure.
 */
export async function commitViaTemp(
  target: string,
  write: (tmpPath: string) => Promise<void> | void
): Promise<void> {
  const tmp = tempSibling(target)
  try {
    await write(tmp)
    await fsyncPath(tmp)
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await fsyncPath(dirname(target))
}

const FS_HINTS: Record<string, string> = {
  EACCES: 'permission denied: choose a folder you can write to',
  EPERM: 'not permitted: choose a folder you can write to',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOENT: 'the folder does not exist',
  ENOSPC: 'the disk is full',
  EISDIR: 'a folder with that name is in the way',
  ENOTEMPTY: 'a folder with that name is in the way'
}

/** Rewrites a file-system error as EXPORT_FAILED naming the path and what to do about it. */
export function exportFailure(out: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  const hint = code ? FS_HINTS[code] : undefined
  const detail = hint ? `${hint} (${code})` : ((err as Error)?.message ?? String(err))
  return new EngineError('EXPORT_FAILED', `cannot write ${out}: ${detail}`)
}

/**
 * Removes what a killed export of `target` left beside it (RELIABILITY D4): `.name.tmp-*` files or
 * folders, and `.name.old-*` folders of a folder swap (put back when the target itself is gone).
 * Only names derived from `target` are touched: the user's folder may hold anything else.
 */
export async function sweepExportTemps(target: string): Promise<string[]> {
  const dir = dirname(target)
  const base = basename(target)
  let names: string[]
  try {
    names = await readdir(dir)
  } catch {
    return []
  }
  const swept: string[] = []
  for (const name of names) {
    if (name.startsWith(`.${base}.tmp-`)) {
      await rm(join(dir, name), { recursive: true, force: true })
      swept.push(name)
    } else if (name.startsWith(`.${base}.old-`)) {
      if (existsSync(target)) await rm(join(dir, name), { recursive: true, force: true })
      else await rename(join(dir, name), target)
      swept.push(name)
    }
  }
  return swept
}

/**
 * Checks before any work that `target`'s folder can be created and written: the nearest existing
 * ancestor must be a folder we may write into. (`mkdir -p` would report a file in the way as a
 * puzzling EEXIST.)
 */
export async function checkDestination(target: string): Promise<void> {
  let dir = dirname(target)
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir)
  const info = await stat(dir)
  if (!info.isDirectory())
    throw exportFailure(target, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }))
  try {
    await access(dir, constants.W_OK)
  } catch (err) {
    throw exportFailure(target, err)
  }
}
