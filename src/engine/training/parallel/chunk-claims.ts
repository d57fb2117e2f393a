/**
 * How the two training threads share a batch: it is cut into a few chunks, and each thread claims
 * the next unclaimed chunk from one shared word until none is left (work stealing), instead of
 * each getting a share fixed in advance from past timings. A thread the OS leaves without a core
 * for a while (another process, V8's background compilers, the UI) then simply computes fewer
 * chunks, and the other never waits for it longer than one chunk. Measured with the step trace
 * (DIGIT_STUDIO_TRACE_PARALLEL=1): on a shared 2-core machine the fixed split's waits were the
 * late thread's time in the run queue, not slower kernels, GC or page faults.
 */

/**
 * A chunk should take at least this long: each gradient call has a fixed cost of a few ms (seed,
 * measured in CPU time per call: 33 ms for 32 images, 62 for 64, 124 for 128), so a chunk much
 * shorter than this wastes more than it balances. Seed at batch 128 (~1 ms an image) gets two
 * halves; `accurate` (~8 ms an image) four chunks; any model gets more chunks when the machine is
 * busy and an image takes longer, which is when balancing within the step matters.
 */
const TARGET_CHUNK_MS = 100
/** Chunks of fewer images than this cost more per image than they balance. */
const MIN_CHUNK = 16
/** At most this many chunks: enough to balance one late thread, few enough calls. */
const MAX_CHUNKS = 4

/**
 * Chunk boundaries for a batch of `n` images taking `msPerSample` each on one thread: `[0, …, n]`,
 * two to four chunks of near-equal size.
 */
export function chunkBounds(n: number, msPerSample: number): number[] {
  const byTime = Math.floor((n * msPerSample) / TARGET_CHUNK_MS)
  const count = Math.max(2, Math.min(MAX_CHUNKS, byTime, Math.floor(n / MIN_CHUNK)))
  return Array.from({ length: count + 1 }, (_, i) => Math.round((i * n) / count))
}

/**
 * The shared claim word: `(step << 8) | next chunk`. Encoding the step means a thread still
 * holding an old step's message can't claim the new step's chunks with the old weights.
 */
export class ChunkClaims {
  private readonly word: Int32Array

  /** Wraps `buffer` (a SharedArrayBuffer of at least 4 bytes; both threads wrap the same one). */
  constructor(readonly buffer: SharedArrayBuffer) {
    this.word = new Int32Array(buffer, 0, 1)
  }

  static create(): ChunkClaims {
    return new ChunkClaims(new SharedArrayBuffer(4))
  }

  /** Opens `step` for claiming (its chunk 0 is next). Steps count up from 1, modulo 2^23. */
  open(step: number): void {
    Atomics.store(this.word, 0, (step & 0x7fffff) << 8)
  }

  /** Claims the next chunk of `step`: its index, or -1 when all `chunks` are taken or `step` is over. */
  claim(step: number, chunks: number): number {
    for (;;) {
      const current = Atomics.load(this.word, 0)
      if (current >>> 8 !== (step & 0x7fffff)) return -1
      const next = current & 0xff
      if (next >= chunks) return -1
      if (Atomics.compareExchange(this.word, 0, current, current + 1) === current) return next
    }
  }
}
