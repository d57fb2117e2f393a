/**
 * Where the engine's memory goes (DIGIT_STUDIO_TRACE_MEMORY=1): each thread that calls
 * `startMemoryTrace` prints one `memory-trace {…}` JSON line on stderr every few hundred ms with
 * the process's resident size and its peak (Linux /proc/self/status), this thread's V8 heap, and
 * this thread's wasm heap. The wasm heap (tfjs-backend-wasm's Memory) never shrinks, so its size is
 * the high-water mark of the tensors that thread ever held at once: the figure to compare between
 * the engine's thread and the gradient worker's.
 */
import { readFileSync } from 'node:fs'
import * as tf from '@tensorflow/tfjs'

const INTERVAL_MS = 250
const MB = 2 ** 20

/** VmRSS and VmHWM of this process in bytes (NaN where /proc is absent). */
function processRss(): { rss: number; hwm: number } {
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    const kb = (field: string): number =>
      Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1])
    return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 }
  } catch {
    return { rss: NaN, hwm: NaN }
  }
}

/** Bytes of this thread's wasm heap, or 0 on another backend. */
function wasmHeapBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }
  return backend.wasm?.HEAPU8?.byteLength ?? 0
}

/** Starts the sampler in this thread when DIGIT_STUDIO_TRACE_MEMORY=1; it never keeps a process alive. */
export function startMemoryTrace(thread: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.DIGIT_STUDIO_TRACE_MEMORY !== '1') return
  const started = performance.now()
  const sample = (): void => {
    const { rss, hwm } = processRss()
    const v8 = process.memoryUsage()
    const mem = tf.memory()
    const line = {
      thread,
      s: Math.round(performance.now() - started) / 1000,
      rssMB: Math.round(rss / MB),
      hwmMB: Math.round(hwm / MB),
      v8HeapMB: Math.round(v8.heapUsed / MB),
      arrayBuffersMB: Math.round(v8.arrayBuffers / MB),
      wasmHeapMB: Math.round(wasmHeapBytes() / MB),
      tensors: mem.numTensors,
      tensorMB: Math.round(mem.numBytes / MB)
    }
    process.stderr.write(`memory-trace ${JSON.stringify(line)}\n`)
  }
  setInterval(sample, INTERVAL_MS).unref()
}
