import { beforeAll, describe, it } from 'vitest'
import { compareKernel, makeInputs, startWasmWithFallback } from './gradients-check'

// Convolution gradients on wasm (XNNPACK rewrites and the one-channel SIMD kernel) against cpu.

beforeAll(startWasmWithFallback)

/** Output size of a conv/pool along one axis, as tfjs computes it. */
function outSize(
  inSize: number,
  k: number,
  stride: number,
  pad: 'same' | 'valid' | number
): number {
  if (pad === 'same') return Math.ceil(inSize / stride)
  if (pad === 'valid') return Math.ceil((inSize - k + 1) / stride)
  return Math.floor((inSize + 2 * pad - k) / stride) + 1
}

interface ConvCase {
  x: [number, number, number, number]
  k: [number, number, number, number]
  strides: [number, number]
  pad: 'same' | 'valid' | number
}

const CONV_CASES: ConvCase[] = [
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  { x: [2, 7, 7, 3], k: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [3, 8, 8, 2], k: [3, 3, 2, 5], strides: [2, 2], pad: 'valid' }, // last row/column unread
  { x: [2, 9, 9, 2], k: [5, 5, 2, 3], strides: [2, 2], pad: 'same' },
  { x: [1, 9, 6, 2], k: [2, 3, 2, 5], strides: [2, 1], pad: 'valid' },
  { x: [2, 6, 5, 3], k: [3, 3, 3, 2], strides: [1, 1], pad: 1 },
  { x: [4, 28, 28, 1], k: [3, 3, 1, 8], strides: [1, 1], pad: 'valid' }, // the seed model's first conv
  { x: [3, 28, 28, 1], k: [3, 3, 1, 4], strides: [1, 1], pad: 'same' }, // the accurate model's, padded
  { x: [2, 9, 9, 1], k: [5, 5, 1, 8], strides: [2, 2], pad: 'same' }, // one channel, strided
  { x: [2, 8, 8, 1], k: [3, 3, 1, 3], strides: [1, 1], pad: 'valid' }, // one channel, not a multiple of 4
  { x: [4, 13, 13, 32], k: [3, 3, 32, 64], strides: [1, 1], pad: 'valid' } // and its second
]

/** The shape of the convolution's output, and so of its gradient dy. */
function dyShape(c: ConvCase): number[] {
  return [
    c.x[0],
    outSize(c.x[1], c.k[0], c.strides[0], c.pad),
    outSize(c.x[2], c.k[1], c.strides[1], c.pad),
    c.k[3]
  ]
}

function convLabel(c: ConvCase): string {
  return `x ${c.x.join('x')}, filter ${c.k.join('x')}, strides ${c.strides.join(',')}, pad ${c.pad}`
}

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  CONV_CASES.forEach((c, i) => {
    it(convLabel(c), async () => {
      const dy = dyShape(c)
      const inputs = makeInputs({ x: c.x, dy }, 100 + i)
      await compareKernel('Conv2DBackpropFilter', inputs, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        filterShape: c.k
      })
    })
  })
})

describe('Conv2DBackpropInput on wasm matches cpu', () => {
  CONV_CASES.forEach((c, i) => {
    it(convLabel(c), async () => {
      const dy = dyShape(c)
      const inputs = makeInputs({ dy, filter: c.k }, 200 + i)
      await compareKernel('Conv2DBackpropInput', inputs, {
        strides: c.strides,
        pad: c.pad,
        dataFormat: 'NHWC',
        inputShape: c.x
      })
    })
  })
})
