import { describe, expect, it } from 'vitest'
import { mixedEpochOrder } from '#engine/data/added-images'

describe('mixedEpochOrder (fine-tune mix)', () => {
  it('puts 4 added images in every batch of 32 and every MNIST image once per epoch', () => {
    const base = 1000
    const added = 10
    const order = mixedEpochOrder(base, added, 32, 7, 1)
    const batches = Math.ceil(base / 28)
    expect(order.length).toBe(base + batches * 4)
    for (let b = 0; b < batches; b++) {
      const batch = [...order.subarray(b * 32, (b + 1) * 32)]
      expect(batch.filter((i) => i >= base).length).toBe(4)
    }
    const mnist = [...order].filter((i) => i < base).sort((a, b) => a - b)
    expect(mnist).toEqual(Array.from({ length: base }, (_, i) => i))
    // The added images come round evenly: each is shown 14 or 15 times (36 batches x 4 / 10).
    const shown = new Array<number>(added).fill(0)
    for (const i of order) if (i >= base) shown[i - base]++
    expect(Math.min(...shown)).toBeGreaterThanOrEqual(14)
    expect(Math.max(...shown)).toBeLessThanOrEqual(15)
  })

  it('is the same for the same (seed, epoch) and differs between epochs', () => {
    expect(mixedEpochOrder(500, 7, 16, 3, 2)).toEqual(mixedEpochOrder(500, 7, 16, 3, 2))
    expect(mixedEpochOrder(500, 7, 16, 3, 2)).not.toEqual(mixedEpochOrder(500, 7, 16, 3, 3))
  })
})
