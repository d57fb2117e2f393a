import * as tf from '@tensorflow/tfjs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  compareKernel,
  makeInputs,
  randomValues,
  runOn,
  startWasmWithFallback,
  type Inputs
} from './gradients-check'

// MaxPoolGrad on wasm (SIMD 2x2 kernel and JS loops) against cpu, ties and NaN included.

beforeAll(startWasmWithFallback)

interface PoolCase {
  x: [number, number, number, number]
  filterSize: [number, number]
  strides: [number, number]
  pad: 'same' | 'valid'
}

const POOL_CASES: PoolCase[] = [
  { x: [2, 26, 26, 32], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // seed model
  { x: [2, 11, 11, 64], filterSize: [2, 2], strides: [2, 2], pad: 'valid' }, // odd size: last row dropped
  { x: [1, 9, 9, 3], filterSize: [3, 3], strides: [3, 3], pad: 'valid' },
  { x: [2, 8, 6, 4], filterSize: [2, 2], strides: [2, 2], pad: 'same' },
  { x: [2, 7, 7, 3], filterSize: [3, 3], strides: [2, 2], pad: 'same' }, // overlapping: stock path
  { x: [1, 8, 8, 2], filterSize: [2, 3], strides: [2, 3], pad: 'valid' },
  { x: [2, 6, 6, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' } // channels not a multiple of 4
]

describe('MaxPoolGrad on wasm matches cpu', () => {
  POOL_CASES.forEach((c, i) => {
    it(`x ${c.x.join('x')}, pool ${c.filterSize.join('x')}, strides ${c.strides.join(',')}, pad ${c.pad}`, async () => {
      const inputs = makeInputs({ input: c.x }, 300 + i)
      await tf.setBackend('cpu')
      const pooled = tf.maxPool(
        tf.tensor4d(inputs.input.values, c.x),
        c.filterSize,
        c.strides,
        c.pad
      )
      inputs.output = { shape: pooled.shape, values: pooled.dataSync() as Float32Array }
      inputs.dy = { shape: pooled.shape, values: randomValues(pooled.size, 400 + i) }
      pooled.dispose()
      await compareKernel('MaxPoolGrad', inputs, {
        filterSize: c.filterSize,
        strides: c.strides,
        pad: c.pad
      })
    })
  })

  // ReLU outputs are full of tied zeros, and NaN must never win: the gradient goes to the first
  // strict maximum only, never to every tied pixel. Channels 2 (JS loop) and 4 (SIMD kernel).
  for (const channels of [2, 4]) {
    it(`routes ties, -Infinity and NaN like cpu (${channels} channels)`, async () => {
      const x: [number, number, number, number] = [1, 4, 4, channels]
      const size = 16 * channels
      const pattern = [1, 0, 0, Number.NaN, -Infinity, 2, 0]
      const values = new Float32Array(size).map(
        (_, i) => pattern[(i * 3 + (i >> 2)) % pattern.length]
      )
      const dyValues = new Float32Array(4 * channels).map((_, i) => i + 1)
      const inputs: Inputs = {
        input: { shape: x, values },
        output: { shape: [1, 2, 2, channels], values: new Float32Array(4 * channels) },
        dy: { shape: [1, 2, 2, channels], values: dyValues }
      }
      await tf.setBackend('cpu')
      const pooled = tf.maxPool(tf.tensor4d(values, x), 2, 2, 'valid')
      inputs.output.values = pooled.dataSync() as Float32Array
      pooled.dispose()
      const attrs = { filterSize: 2, strides: 2, pad: 'valid' }
      const fromWasm = await runOn('wasm', 'MaxPoolGrad', inputs, attrs)
      const fromCpu = await runOn('cpu', 'MaxPoolGrad', inputs, attrs)
      await tf.setBackend('wasm')
      expect(Array.from(fromWasm.values)).toEqual(Array.from(fromCpu.values))
      // Each window passes its gradient to at most one pixel.
      const total = dyValues.reduce((a, b) => a + b, 0)
      expect(fromWasm.values.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(total)
    })
  }
})
