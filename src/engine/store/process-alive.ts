/**
 * Whether a pid on this host is a live process, for locks and temp-file sweeps that must tell a
 * running writer from one that crashed or was killed.
 */
import { readFileSync } from 'node:fs'

/**
 * True when `pid` is running. A zombie (exited, not yet reaped) is dead: an engine whose parent
 * was killed is re-parented, and where PID 1 does not reap (many containers and CI runners) it
 * stays a zombie that `kill(pid, 0)` still reports as existing, which kept its lock "held" forever.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
  return !isZombie(pid)
}

/** Linux only (/proc); elsewhere a zombie can't be told apart and counts as alive. */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The state follows the command name, which may itself hold spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z'
  } catch {
    return false
  }
}
