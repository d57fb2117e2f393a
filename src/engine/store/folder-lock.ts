/**
 * Cross-process locks for writers of the data home (RELIABILITY R5). The app and the CLI share the
 * data home, so "this run is in progress" can't live in one process's memory: a lock file in the
 * folder records who holds it (pid, hostname, start time). A lock whose process is gone (same
 * host, dead pid: a crash or kill -9) is stale and is taken over, so it never blocks forever.
 */
import { readFileSync, rmSync } from 'node:fs'
import { hostname } from 'node:os'
import { open, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import { makeFolders } from './atomic-write'
import { processAlive } from './process-alive'

/** The lock file's name inside a locked folder. */
const LOCK_FILE = 'lock.json'

interface LockHolder {
  pid: number
  hostname: string
  startedAt: string
  /** What the holder is doing, for messages ("training run 2026…"). */
  job: string
}

async function readHolder(file: string): Promise<LockHolder | null> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Partial<LockHolder>
    if (typeof h.pid !== 'number' || typeof h.hostname !== 'string') return null
    return { pid: h.pid, hostname: h.hostname, startedAt: String(h.startedAt), job: String(h.job) }
  } catch {
    return null
  }
}

/**
 * Who holds the lock of `folder`, or null when nobody live does. A holder on another host can't
 * be checked, so it counts as live; a half-written lock file (crash while creating it) does not.
 */
export async function lockHolder(folder: string): Promise<LockHolder | null> {
  const holder = await readHolder(join(folder, LOCK_FILE))
  if (!holder) return null
  if (holder.hostname === hostname() && !processAlive(holder.pid)) return null
  return holder
}

/** Text for a refusal: "training run X (pid 123 on host, since …)". */
export function describeHolder(h: LockHolder): string {
  return `${h.job} (pid ${h.pid} on ${h.hostname}, since ${h.startedAt})`
}

/**
 * Takes the lock of `folder` for `job`; BUSY naming the holder when a live process has it. A stale
 * lock is removed and taken. Returns the release function (idempotent; only removes our own lock).
 */
export async function acquireFolderLock(folder: string, job: string): Promise<() => void> {
  const file = join(folder, LOCK_FILE)
  await makeFolders(folder)
  const me: LockHolder = {
    pid: process.pid,
    hostname: hostname(),
    startedAt: new Date().toISOString(),
    job
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      // 'wx' fails when the file exists, so two processes can't both create it.
      const handle = await open(file, 'wx')
      try {
        await handle.writeFile(JSON.stringify(me))
      } finally {
        await handle.close()
      }
      let released = false
      // Synchronous, so a run can drop its lock just before its last event goes out.
      return () => {
        if (released) return
        released = true
        let now: string | null = null
        try {
          now = readFileSync(file, 'utf8')
        } catch {
          // Already gone (the folder was deleted, or someone broke the lock): nothing to release.
        }
        if (now === JSON.stringify(me)) rmSync(file, { force: true })
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = await lockHolder(folder)
      if (holder) throw new EngineError('BUSY', `${folder} is in use by ${describeHolder(holder)}`)
      await rm(file, { force: true })
    }
  }
  throw new EngineError('BUSY', `${folder} is in use: its lock was taken again while we waited`)
}

/**
 * Runs `work` holding the lock of `folder`, waiting (up to `waitMs`) for a live holder to finish:
 * for short writes, such as saving the last model, that two processes may do at once.
 */
export async function withFolderLock<T>(
  folder: string,
  job: string,
  work: () => Promise<T>,
  waitMs = 30_000
): Promise<T> {
  const deadline = Date.now() + waitMs
  let release: (() => void) | null = null
  while (!release) {
    try {
      release = await acquireFolderLock(folder, job)
    } catch (err) {
      if (!(err instanceof EngineError) || err.code !== 'BUSY' || Date.now() > deadline) throw err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  try {
    return await work()
  } finally {
    release()
  }
}
