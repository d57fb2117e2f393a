/**
 * Crash-safe writes (RELIABILITY D4): everything is written under a temporary name in the same
 * folder, flushed to disk, then renamed into place, so a reader (or a crash) only ever sees the old
 * version or the new one, never half a file. Same folder, because rename is atomic only within one
 * file system. Temporary names start with a dot and hold `.tmp-`, so `sweepTempFiles` finds them.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { EngineError } from '#shared/errors'
import { processAlive } from './process-alive'

const TMP_MARK = '.tmp-'
const OLD_MARK = '.old-'

function sibling(target: string, mark: string): string {
  return join(
    dirname(target),
    `.${basename(target)}${mark}${process.pid}-${randomBytes(4).toString('hex')}`
  )
}

/** A temp path beside `target`, named so `sweepTempFiles` recognises it after a crash. */
export function tempSibling(target: string): string {
  return sibling(target, TMP_MARK)
}

/**
 * `mkdir -p` that can't hang: Node 20's recursive mkdir loops forever where a folder refuses new
 * entries with ENOENT (/proc, /sys: RELIABILITY R8), so each missing level is created on its own
 * and the first failure is thrown as is.
 */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = []
  for (let d = resolve(dir); !existsSync(d); d = dirname(d)) {
    missing.unshift(d)
    if (dirname(d) === d) break
  }
  for (const d of missing) {
    try {
      await mkdir(d)
    } catch (err) {
      // Another writer may have made it in between; anything else is a real failure.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
    }
  }
}

/** fsync a file or folder; folders are flushed so the rename itself survives a power cut. */
export async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r')
  try {
    await handle.sync()
  } catch {
    // Some file systems (and Windows for folders) refuse fsync on a directory; the rename still holds.
  } finally {
    await handle.close()
  }
}

async function writeAndSync(path: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w')
  try {
    await handle.writeFile(data)
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes one file atomically: temp file in the same folder, fsync, rename over the target. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await makeFolders(dirname(target))
  const tmp = tempSibling(target)
  try {
    await writeAndSync(tmp, data)
    await rename(tmp, target)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
  await fsyncPath(dirname(target))
}

/** The moments of a folder swap, in order; tests stop there to see what a crash would leave. */
export type SwapStep = 'temp-written' | 'old-moved-aside' | 'new-moved-in' | 'old-removed'

interface WriteDirOptions {
  /**
   * Decides whether an existing folder at the target may be replaced; returns why not, or null.
   * The default allows only an empty folder or one holding nothing but the names being written
   * (RELIABILITY R1: a user's folder with other files in it is never deleted).
   */
  replaceProblem?: (target: string, entries: string[]) => Promise<string | null> | string | null
  /** Called after each step of the swap (crash-simulation tests only). */
  onStep?: (step: SwapStep) => void
}

/**
 * Refuses, with OUT_NOT_EMPTY naming the folder, to replace `target` unless it is absent, empty or
 * passes `replaceProblem` (RELIABILITY R1). Exported so callers can check before long work.
 */
export async function assertReplaceable(
  target: string,
  names: readonly string[],
  replaceProblem?: WriteDirOptions['replaceProblem']
): Promise<void> {
  if (!existsSync(target)) return
  if (!(await stat(target)).isDirectory()) {
    throw new EngineError('OUT_NOT_EMPTY', `cannot write ${target}: a file has that name`)
  }
  const entries = await readdir(target)
  if (entries.length === 0) return
  const foreign = entries.filter((n) => !names.includes(n))
  const problem = foreign.length
    ? `it holds ${listNames(foreign)}, which Digit Studio did not write`
    : ((await replaceProblem?.(target, entries)) ?? null)
  if (problem) {
    throw new EngineError(
      'OUT_NOT_EMPTY',
      `will not replace the folder ${target}: ${problem}; choose an empty folder or a new name`
    )
  }
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 3).join(', ')
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown
}

/**
 * Replaces a whole folder atomically: `files` (name -> bytes) are written into a temp folder beside
 * the target, then swapped in. A folder can't be renamed over a non-empty one, so the old folder is
 * first moved aside (`.name.old-*`) and removed after; if we crash between the two renames,
 * `sweepTempFiles` moves it back. An existing folder is replaced only when `assertReplaceable`
 * allows it.
 */
export async function writeDirAtomic(
  target: string,
  files: Record<string, string | Uint8Array>,
  options: WriteDirOptions = {}
): Promise<void> {
  const step = options.onStep ?? (() => undefined)
  await assertReplaceable(target, Object.keys(files), options.replaceProblem)
  await makeFolders(dirname(target))
  const tmp = sibling(target, TMP_MARK)
  try {
    await mkdir(tmp)
    for (const [name, data] of Object.entries(files)) await writeAndSync(join(tmp, name), data)
    await fsyncPath(tmp)
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
  step('temp-written')
  let old: string | null = null
  if (existsSync(target)) {
    old = sibling(target, OLD_MARK)
    await rename(target, old)
    step('old-moved-aside')
  }
  try {
    await rename(tmp, target)
  } catch (err) {
    if (old) await rename(old, target)
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
  step('new-moved-in')
  await fsyncPath(dirname(target))
  if (old) await rm(old, { recursive: true, force: true })
  step('old-removed')
}

/** The pid a temp or old name was made by (`.name.tmp-<pid>-<hex>`), or null. */
function writerPid(name: string, markAt: number): number | null {
  const m = /^(\d+)-/.exec(name.slice(markAt + TMP_MARK.length))
  return m ? Number(m[1]) : null
}

/** Whether another live process may still be writing (a sweep must leave its files alone). */
function otherWriterAlive(pid: number | null): boolean {
  if (pid === null || pid === process.pid) return false
  return processAlive(pid)
}

/**
 * Cleans a folder after a crash: removes leftover temp files/folders and, where a folder swap was
 * cut between its two renames (target missing, `.old-` copy present), puts the old version back.
 * Leftovers of another process that is still running (the app and the CLI share the data home)
 * are left alone. Returns the names it removed or restored. Safe when the folder doesn't exist.
 */
export async function sweepTempFiles(folder: string): Promise<string[]> {
  if (!existsSync(folder)) return []
  const touched: string[] = []
  for (const name of await readdir(folder)) {
    if (!name.startsWith('.')) continue
    const tmpAt = name.indexOf(TMP_MARK)
    const oldAt = name.indexOf(OLD_MARK)
    const markAt = tmpAt > 0 ? tmpAt : oldAt
    if (markAt <= 0 || otherWriterAlive(writerPid(name, markAt))) continue
    if (tmpAt > 0) {
      await rm(join(folder, name), { recursive: true, force: true })
    } else {
      const original = join(folder, name.slice(1, oldAt))
      if (existsSync(original)) await rm(join(folder, name), { recursive: true, force: true })
      else await rename(join(folder, name), original)
    }
    touched.push(name)
  }
  return touched
}
