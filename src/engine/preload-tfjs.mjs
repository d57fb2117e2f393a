/**
 * Loads tfjs with Node's source maps off, first thing in an engine run from source through tsx
 * (the CLI and the tests: an `--import` of src/host/engine-fork.ts; a built app has neither tsx
 * nor source maps). tsx turns source maps on so that our TypeScript's stack traces point at the
 * right lines, and Node then reads, parses and keeps the map of every module loaded afterwards,
 * tfjs's bundles included: ~45 MB of V8 heap in each thread that loads tfjs (measured with
 * `node --import tsx`: importing @tensorflow/tfjs took the process from 78 to 172 MB resident
 * with maps, from 72 to 121 MB without). tfjs's stack frames then show its compiled JavaScript;
 * ours still map to the TypeScript.
 *
 * Worker threads inherit the engine's `--import`s and run this before their bootstrap registers
 * tsx (thread-entry.ts), hence plain JavaScript. The gradient worker, which trains with tfjs, asks
 * for it with `workerData.tfjs`; the decode thread never loads tfjs and skips it.
 */
import { isMainThread, workerData } from 'node:worker_threads'

if (isMainThread || workerData?.tfjs === true) {
  const enabled = process.sourceMapsEnabled
  process.setSourceMapsEnabled(false)
  try {
    await import('@tensorflow/tfjs')
  } finally {
    process.setSourceMapsEnabled(enabled)
  }
}
