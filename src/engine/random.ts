/**
 * Small seeded random numbers for everything a run must reproduce: the validation split, the
 * order of each epoch and the augmentation of each batch. `Math.random` can't be seeded, and
 * reproducible runs are what make "train 2 epochs + resume 1" equal "train 3" (RELIABILITY D5).
 */

/** mulberry32: tiny, fast, good enough for shuffling and augmentation (not for cryptography). */
export function createRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Mixes several integers into one seed, so (seed, epoch, batch) each get their own stream. */
export function deriveSeed(...parts: number[]): number {
  let h = 0x811c9dc5
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0
  }
  return h >>> 0
}

/** Fisher-Yates shuffle of 0..n-1 driven by `rng`. */
export function shuffledIndices(n: number, rng: () => number): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const t = out[i]
    out[i] = out[j]
    out[j] = t
  }
  return out
}
