/**
 * File-system failures of a write, turned into messages a user can act on ("the disk is full")
 * instead of a bare errno. One owner for exports, training's --out and the data home.
 */
import { constants, existsSync } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { dirname } from 'node:path'

const FS_HINTS: Record<string, string> = {
  EACCES: 'permission denied: choose a folder you can write to',
  EPERM: 'not permitted: choose a folder you can write to',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ENOSPC: 'the disk is full',
  EISDIR: 'a folder with that name is in the way',
  ENOTEMPTY: 'a folder with that name is in the way'
}

/** The nearest folder above `target` that exists (the root at worst). */
function nearestExisting(target: string): string {
  let dir = dirname(target)
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir)
  return dir
}

/**
 * Why writing `target` failed, in words. Writes create their folders first, so ENOENT means the
 * folder could not be created: the nearest existing folder does not accept new entries, as system
 * folders like /proc and /sys don't (RELIABILITY R8: never "the folder does not exist" there).
 */
export function describeWriteError(target: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT') {
    return `${nearestExisting(target)} does not accept new files or folders (a system folder such as /proc or /sys?): choose a folder of your own (ENOENT)`
  }
  const hint = code ? FS_HINTS[code] : undefined
  return hint ? `${hint} (${code})` : ((err as Error)?.message ?? String(err))
}

/**
 * Checks before any work that `target`'s folder can be created and written: the nearest existing
 * ancestor must be a folder we may write into (`mkdir -p` would report a file in the way as a
 * puzzling EEXIST). Throws what `toError` makes of the file-system error.
 */
export async function checkDestination(
  target: string,
  toError: (target: string, err: unknown) => Error
): Promise<void> {
  const dir = nearestExisting(target)
  const info = await stat(dir)
  if (!info.isDirectory())
    throw toError(target, Object.assign(new Error('not a folder'), { code: 'ENOTDIR' }))
  try {
    await access(dir, constants.W_OK)
  } catch (err) {
    throw toError(target, err)
  }
}
