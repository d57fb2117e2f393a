/**
 * Crash-safe writes (RELIABILITY D4): everything is written under a temporary name in the same
 * folder, flushed to disk, then renamed into place, so a reader (or a crash) only ever sees the old
 * version or the new one, never half a file. Same folder, because rename is atomic only within one
 * file system. Temporary names start with a dot and hold `.tmp-`, so `sweepTempFiles` finds them.
 */
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'

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
  await mkdir(dirname(target), { recursive: true })
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

/**
 * Replaces a whole folder atomically: `files` (name -> bytes) are written into a temp folder beside
 * the target, then swapped in. A folder can't be renamed over a non-empty one, so the old folder is
 * first moved aside (`.name.old-*`) and removed after; if we crash between the two renames,
 * `sweepTempFiles` moves it back.
 */
export async function writeDirAtomic(
  target: string,
  files: Record<string, string | Uint8Array>
): Promise<void> {
  await mkdir(dirname(target), { recursive: true })
  const tmp = sibling(target, TMP_MARK)
  try {
    await mkdir(tmp)
    for (const [name, data] of Object.entries(files)) await writeAndSync(join(tmp, name), data)
    await fsyncPath(tmp)
  } catch (err) {
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
  let old: string | null = null
  if (existsSync(target)) {
    old = sibling(target, OLD_MARK)
    await rename(target, old)
  }
  try {
    await rename(tmp, target)
  } catch (err) {
    if (old) await rename(old, target)
    await rm(tmp, { recursive: true, force: true })
    throw err
  }
  await fsyncPath(dirname(target))
  if (old) await rm(old, { recursive: true, force: true })
}

/**
 * Cleans a folder after a crash: removes leftover temp files/folders and, where a folder swap was
 * cut between its two renames (target missing, `.old-` copy present), puts the old version back.
 * Returns the names it removed or restored. Safe to call when the folder doesn't exist.
 */
export async function sweepTempFiles(folder: string): Promise<string[]> {
  if (!existsSync(folder)) return []
  const touched: string[] = []
  for (const name of await readdir(folder)) {
    if (!name.startsWith('.')) continue
    const tmpAt = name.indexOf(TMP_MARK)
    const oldAt = name.indexOf(OLD_MARK)
    if (tmpAt > 0) {
      await rm(join(folder, name), { recursive: true, force: true })
      touched.push(name)
    } else if (oldAt > 0) {
      const original = join(folder, name.slice(1, oldAt))
      if (existsSync(original)) await rm(join(folder, name), { recursive: true, force: true })
      else await rename(join(folder, name), original)
      touched.push(name)
    }
  }
  return touched
}
