/**
 * Writing an export where the user asked: through a temporary sibling (same folder, so the final
 * rename is atomic), fsync, rename (RELIABILITY D4); and turning file-system failures into
 * messages a user can act on ("folder is read-only") instead of a bare errno.
 */
import { existsSync } from 'node:fs'
import { readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { EngineError } from '#shared/errors'
// One owner of temp names and fsync, so sweepTempFiles and the exports agree on what a leftover is.
import { fsyncPath, tempSibling } from '../store/atomic-write'
import { checkDestination, describeWriteError } from '../store/write-errors'

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

/** Rewrites a file-system error as EXPORT_FAILED naming the path and what to do about it. */
export function exportFailure(out: string, err: unknown): EngineError {
  if (err instanceof EngineError) return err
  return new EngineError('EXPORT_FAILED', `cannot write ${out}: ${describeWriteError(out, err)}`)
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

/** Checks before any work that `target` can be written; EXPORT_FAILED saying why not. */
export function checkExportDestination(target: string): Promise<void> {
  return checkDestination(target, exportFailure)
}
