/**
 * Per-thread clocks for the data-parallel trainer's trace (DIGIT_STUDIO_TRACE_PARALLEL=1): how long
 * the calling OS thread ran on a core, how long it sat runnable waiting for one, and how long its
 * isolate spent in garbage collection. Wall time minus CPU time tells "slow kernels" apart from "no
 * core" (the question of the second thread's lottery), which no wall-clock timer can.
 */
import { readFileSync } from 'node:fs'
import { PerformanceObserver } from 'node:perf_hooks'

/** Milliseconds since an arbitrary origin; subtract two readings. */
export interface ThreadClock {
  /** Time this thread ran on a core (kernel schedstat, ns precision). */
  cpuMs: number
  /** Time this thread was runnable but waited for a core (the run queue). */
  runQueueMs: number
  /** Time this isolate spent in garbage collection (every kind, as perf_hooks reports them). */
  gcMs: number
  /** Minor page faults (fresh pages touched: heap growth, unmapped memory reused). */
  minorFaults: number
}

let gcMs = 0
let gcObserver: PerformanceObserver | null = null

/** Starts counting GC time in this thread (idempotent; only while tracing: it costs a callback per GC). */
function observeGc(): void {
  if (gcObserver) return
  gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration
  })
  gcObserver.observe({ entryTypes: ['gc'] })
}

/**
 * Reads the calling thread's clocks. Linux only (/proc/thread-self); elsewhere CPU and run-queue
 * times are NaN, so the trace says "unknown" instead of inventing zeros.
 */
export function readThreadClock(): ThreadClock {
  observeGc()
  let cpuMs = NaN
  let runQueueMs = NaN
  let minorFaults = NaN
  try {
    const [onCpuNs, waitNs] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')
    cpuMs = Number(onCpuNs) / 1e6
    runQueueMs = Number(waitNs) / 1e6
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    // Fields after the command name "(...)": state is field 3, minflt field 10.
    minorFaults = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7])
  } catch {
    // Not Linux, or schedstat disabled.
  }
  return { cpuMs, runQueueMs, gcMs, minorFaults }
}

/** `after - before`, field by field. */
export function clockDelta(before: ThreadClock, after: ThreadClock): ThreadClock {
  return {
    cpuMs: after.cpuMs - before.cpuMs,
    runQueueMs: after.runQueueMs - before.runQueueMs,
    gcMs: after.gcMs - before.gcMs,
    minorFaults: after.minorFaults - before.minorFaults
  }
}

/** True when DIGIT_STUDIO_TRACE_PARALLEL=1 asks for a per-step trace on stderr. */
export function tracing(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.DIGIT_STUDIO_TRACE_PARALLEL === '1'
}
