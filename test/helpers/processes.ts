import { readdirSync, readFileSync } from 'node:fs'

/** Fields of /proc/<pid>/stat after the command name (which may hold spaces and parentheses). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  } catch {
    return null
  }
}

/** Processes whose parent is `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((p) => statFields(p)?.[1] === String(pid))
}

/** The one-letter state of `pid` (R, S, Z for a zombie, …), or null when there is no such process. */
export function processState(pid: number): string | null {
  return statFields(pid)?.[0] ?? null
}

/** True while `pid` exists and is not a zombie waiting to be reaped. */
export function isRunning(pid: number): boolean {
  const state = processState(pid)
  return state !== null && state !== 'Z'
}

/** Waits until `pid` is gone or `ms` has passed; returns whether it is gone. */
export async function waitGone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (!isRunning(pid)) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return !isRunning(pid)
}
