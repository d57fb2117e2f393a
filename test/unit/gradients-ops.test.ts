import * as tf from '@tensorflow/tfjs'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { compareKernel, makeInputs, randomValues, startWasmWithFallback } from './gradients-check'
import { simdKernels } from '#engine/backend/kernels/simd/simd-kernels'

// The other fast wasm kernels (reductions, bias add, ReLU gradient, tile, matmul, shared-data
// identity and cast) and the cpu delegate, against cpu.

beforeAll(startWasmWithFallback)

describe('Sum on wasm matches cpu', () => {
  const cases: { shape: number[]; axis: number[]; keepDims: boolean }[] = [
    { shape: [16, 26, 26, 32], axis: [0, 1, 2], keepDims: false }, // a conv's bias gradient (SIMD)
    { shape: [8, 5, 5, 6], axis: [0, 1, 2], keepDims: true }, // columns not a multiple of 4
    { shape: [128, 10], axis: [0], keepDims: false }, // a dense layer's bias gradient
    { shape: [4, 6, 8], axis: [2], keepDims: false }, // trailing axis: stock kernel
    { shape: [4, 6, 8], axis: [0, 2], keepDims: false } // mixed axes: stock kernel
  ]
  cases.forEach((c, i) => {
    it(`shape ${c.shape.join('x')}, axes ${c.axis.join(',')}${c.keepDims ? ', keepDims' : ''}`, async () => {
      await compareKernel('Sum', makeInputs({ x: c.shape }, 600 + i), {
        axis: c.axis,
        keepDims: c.keepDims
      })
    })
  })
})

describe('Mean on wasm matches cpu', () => {
  const cases: { shape: number[]; axis: number[]; keepDims: boolean }[] = [
    { shape: [8, 14, 14, 32], axis: [0, 1, 2], keepDims: true }, // batch-norm moments (SIMD)
    { shape: [32, 6], axis: [0], keepDims: false }, // columns not a multiple of 4
    { shape: [4, 6, 8], axis: [1], keepDims: false } // not leading: stock kernel
  ]
  cases.forEach((c, i) => {
    it(`shape ${c.shape.join('x')}, axes ${c.axis.join(',')}${c.keepDims ? ', keepDims' : ''}`, async () => {
      await compareKernel('Mean', makeInputs({ x: c.shape }, 650 + i), {
        axis: c.axis,
        keepDims: c.keepDims
      })
    })
  })
})

describe('Add on wasm matches cpu', () => {
  const cases: { a: number[]; b: number[] }[] = [
    { a: [16, 26, 26, 32], b: [32] }, // a conv's bias (SIMD)
    { a: [1, 1, 1, 8], b: [4, 5, 5, 8] }, // bias first, with leading 1s (SIMD)
    { a: [128, 10], b: [10] }, // 10 columns: stock kernel
    { a: [6, 8], b: [6, 8] } // same shapes: stock kernel
  ]
  cases.forEach((c, i) => {
    it(`${c.a.join('x')} + ${c.b.join('x')}`, async () => {
      await compareKernel('Add', makeInputs({ a: c.a, b: c.b }, 800 + i), {})
    })
  })
})

describe('the ReLU gradient on wasm matches cpu', () => {
  // Sizes 64 (one-pass SIMD kernel) and 6 (tfjs's own ops); NaN must stay NaN.
  for (const size of [64, 6]) {
    it(`size ${size}, with zeros, negatives and NaN`, async () => {
      const xs = new Float32Array(size).map((_, i) => [1.5, -2, 0, Number.NaN, 0.25, -0][i % 6])
      const dys = randomValues(size, 900 + size)
      const gradOn = async (name: string): Promise<number[]> => {
        await tf.setBackend(name)
        const x = tf.tensor1d(xs)
        const dy = tf.tensor1d(dys)
        const g = tf.grad((v: tf.Tensor) => tf.relu(v))(x, dy)
        const values = Array.from(g.dataSync())
        tf.dispose([x, dy, g])
        return values
      }
      const fromWasm = await gradOn('wasm')
      const fromCpu = await gradOn('cpu')
      await tf.setBackend('wasm')
      expect(fromWasm).toEqual(fromCpu)
      expect(fromWasm.some((v) => Number.isNaN(v))).toBe(true)
    })
  }
})

describe('Tile on wasm matches cpu', () => {
  const cases: { x: number[]; reps: number[] }[] = [
    { x: [1, 1, 1, 32], reps: [8, 13, 13, 1] }, // batch norm's gradient (block copies)
    { x: [1, 3], reps: [5, 1] },
    { x: [1, 2, 3], reps: [4, 1, 1] },
    { x: [2, 3], reps: [2, 2] } // tiles inside the block: stock kernel
  ]
  cases.forEach((c, i) => {
    it(`${c.x.join('x')} tiled ${c.reps.join('x')}`, async () => {
      await compareKernel('Tile', makeInputs({ x: c.x }, 850 + i), { reps: c.reps })
    })
  })
})

describe('BatchMatMul on wasm matches cpu', () => {
  const cases: { a: number[]; b: number[]; transposeA: boolean; transposeB: boolean }[] = [
    { a: [1, 32, 48], b: [1, 48, 16], transposeA: false, transposeB: false },
    { a: [1, 32, 48], b: [1, 16, 48], transposeA: false, transposeB: true }, // dense input gradient
    { a: [1, 48, 32], b: [1, 48, 16], transposeA: true, transposeB: false }, // dense weight gradient
    { a: [3, 8, 5], b: [3, 7, 8], transposeA: true, transposeB: true }
  ]
  cases.forEach((c, i) => {
    const label = `a ${c.a.join('x')}${c.transposeA ? ' transposed' : ''}, b ${c.b.join('x')}${c.transposeB ? ' transposed' : ''}`
    it(label, async () => {
      const inputs = makeInputs({ a: c.a, b: c.b }, 700 + i)
      await compareKernel('BatchMatMul', inputs, {
        transposeA: c.transposeA,
        transposeB: c.transposeB
      })
    })
  })
})

describe('SIMD kernels', () => {
  it('load against the wasm backend heap (else the checks above test only the portable paths)', () => {
    expect(simdKernels(tf.backend() as BackendWasm)).not.toBeNull()
  })
})

describe('Identity and Cast share data on wasm without changing values', () => {
  it('an identity and a same-type cast read back the input, which survives their disposal', async () => {
    await tf.setBackend('wasm')
    const x = tf.tensor2d([1.5, -2, 3, 4], [2, 2])
    const y = tf.engine().runKernel('Identity', { x }) as tf.Tensor
    const z = tf.cast(x, 'float32')
    const i = tf.cast(x, 'int32')
    expect(Array.from(y.dataSync())).toEqual([1.5, -2, 3, 4])
    expect(Array.from(z.dataSync())).toEqual([1.5, -2, 3, 4])
    expect(Array.from(i.dataSync())).toEqual([1, -2, 3, 4])
    tf.dispose([y, z, i])
    expect(Array.from(x.dataSync())).toEqual([1.5, -2, 3, 4])
    x.dispose()
  })
})

describe('kernels wasm lacks run through the cpu delegate', () => {
  it('DepthwiseConv2dNativeBackpropFilter matches cpu', async () => {
    const inputs = makeInputs({ x: [2, 6, 6, 3], dy: [2, 6, 6, 6] }, 500)
    await compareKernel('DepthwiseConv2dNativeBackpropFilter', inputs, {
      strides: [1, 1],
      pad: 'same',
      dilations: [1, 1],
      filterShape: [3, 3, 3, 2]
    })
  })

  it('DepthwiseConv2dNativeBackpropInput matches cpu', async () => {
    const inputs = makeInputs({ dy: [2, 4, 4, 6], filter: [3, 3, 3, 2] }, 501)
    await compareKernel('DepthwiseConv2dNativeBackpropInput', inputs, {
      strides: [1, 1],
      pad: 'valid',
      dilations: [1, 1],
      inputShape: [2, 6, 6, 3]
    })
  })
})
