import * as tf from '@tensorflow/tfjs'
import * as wasm from '@tensorflow/tfjs-backend-wasm'
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm'
import { beforeAll, describe, expect, it } from 'vitest'
import { registerFallbackKernels } from '../../src/main/engine/gradients'
import { simdKernels } from '../../src/main/engine/kernels/simd/simd-kernels'
import { wasmBinariesDir } from '../../src/main/engine/paths'

// Every fallback kernel is checked against the pure-JS cpu backend, tfjs's reference. tfjs keeps one
// engine per process, so each check runs on wasm, switches to cpu, runs again and switches back.

type Inputs = Record<string, { shape: number[]; values: Float32Array }>

/** Deterministic values in [-1, 1) so failures reproduce. */
function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1
  const out = new Float32Array(size)
  for (let i = 0; i < size; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    out[i] = state / 2 ** 31 - 1
  }
  return out
}

function makeInputs(shapes: Record<string, number[]>, seed: number): Inputs {
  const inputs: Inputs = {}
  let s = seed
  for (const [name, shape] of Object.entries(shapes)) {
    inputs[name] = {
      shape,
      values: randomValues(
        shape.reduce((a, b) => a * b, 1),
        s++
      )
    }
  }
  return inputs
}

/** Runs one kernel by name on the given backend and returns its output values and shape. */
async function runOn(
  backendName: string,
  kernelName: string,
  inputs: Inputs,
  attrs: object
): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backendName)
  const tensors: Record<string, tf.Tensor> = {}
  for (const [name, { shape, values }] of Object.entries(inputs))
    tensors[name] = tf.tensor(values, shape)
  const out = tf.engine().runKernel(kernelName, tensors, attrs as tf.NamedAttrMap) as tf.Tensor
  const result = { shape: out.shape, values: out.dataSync() as Float32Array }
  tf.dispose([out, ...Object.values(tensors)])
  return result
}

/**
 * |a - b| within `relative` of the reference's largest magnitude: sums of thousands of products
 * in another order differ in the last bits.
 */
function expectClose(actual: Float32Array, expected: Float32Array, relative = 1e-4): void {
  expect(actual.length).toBe(expected.length)
  let scale = 0
  for (const v of expected) scale = Math.max(scale, Math.abs(v))
  const tolerance = relative * Math.max(scale, 1e-3)
  let worst = 0
  for (let i = 0; i < expected.length; i++)
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]))
  expect(worst).toBeLessThanOrEqual(tolerance)
}

async function compareKernel(kernelName: string, inputs: Inputs, attrs: object): Promise<void> {
  const fromWasm = await runOn('wasm', kernelName, inputs, attrs)
  const fromCpu = await runOn('cpu', kernelName, inputs, attrs)
  await tf.setBackend('wasm')
  expect(fromWasm.shape).toEqual(fromCpu.shape)
  expectClose(fromWasm.values, fromCpu.values)
}

beforeAll(async () => {
  wasm.setWasmPaths(wasmBinariesDir())
  wasm.setThreadsCount(1)
  registerFallbackKernels()
  registerFallbackKernels() // idempotent: a second call must not break anything
  expect(await tf.setBackend('wasm')).toBe(true)
})

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

function convLabel(c: ConvCase): string {
  return `x ${c.x.join('x')}, filter ${c.k.join('x')}, strides ${c.strides.join(',')}, pad ${c.pad}`
}

describe('Conv2DBackpropFilter on wasm matches cpu', () => {
  CONV_CASES.forEach((c, i) => {
    it(convLabel(c), async () => {
      const dy = [
        c.x[0],
        outSize(c.x[1], c.k[0], c.strides[0], c.pad),
        outSize(c.x[2], c.k[1], c.strides[1], c.pad),
        c.k[3]
      ]
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
      const dy = [
        c.x[0],
        outSize(c.x[1], c.k[0], c.strides[0], c.pad),
        outSize(c.x[2], c.k[1], c.strides[1], c.pad),
        c.k[3]
      ]
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

/** The seed preset's architecture, defined here so the check doesn't depend on models.ts. */
function seedLikeModel(batchNorm: boolean): tf.Sequential {
  const model = tf.sequential()
  model.add(
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' })
  )
  if (batchNorm) model.add(tf.layers.batchNormalization())
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(
    tf.layers.conv2d({
      filters: 16,
      kernelSize: 3,
      activation: 'relu',
      padding: batchNorm ? 'same' : 'valid'
    })
  )
  model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
  model.add(tf.layers.flatten())
  model.add(tf.layers.dense({ units: 32, activation: 'relu' }))
  model.add(tf.layers.dense({ units: 10, activation: 'softmax' }))
  return model
}

/** One SGD step on a fixed batch from fixed weights; returns the loss and each weight's change. */
async function trainStep(
  backendName: string,
  batchNorm: boolean,
  weights: Float32Array[]
): Promise<{ loss: number; deltas: Float32Array[] }> {
  await tf.setBackend(backendName)
  const model = seedLikeModel(batchNorm)
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(weights[i], w.shape)))
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' })
  const xs = tf.tensor4d(
    randomValues(16 * 28 * 28, 7).map((v) => (v + 1) / 2),
    [16, 28, 28, 1]
  )
  const ys = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: 16 }, (_, i) => i % 10),
      'int32'
    ),
    10
  )
  const loss = (await model.trainOnBatch(xs, ys)) as number
  const deltas = model.getWeights().map((w, i) => {
    const now = w.dataSync() as Float32Array
    return now.map((v, j) => v - weights[i][j])
  })
  tf.dispose([xs, ys])
  model.dispose()
  return { loss, deltas }
}

describe('a training step on wasm matches cpu', () => {
  for (const batchNorm of [false, true]) {
    it(`seed architecture${batchNorm ? ' with batch normalization' : ''}: same loss and updates`, async () => {
      await tf.setBackend('cpu')
      const initial = seedLikeModel(batchNorm)
      // Seeded Glorot-uniform kernels (the layers' own initialisers are unseeded); biases and
      // batch-norm parameters keep their fixed initial values.
      const weights = initial.getWeights().map((w, i) => {
        if (w.rank < 2) return w.dataSync() as Float32Array
        const fanOut = w.shape[w.rank - 1]
        const fanIn = w.size / fanOut
        const limit = Math.sqrt(6 / (fanIn + fanOut))
        return randomValues(w.size, 900 + i).map((v) => v * limit)
      })
      initial.dispose()
      const onWasm = await trainStep('wasm', batchNorm, weights)
      const onCpu = await trainStep('cpu', batchNorm, weights)
      await tf.setBackend('wasm')
      expect(Number.isFinite(onWasm.loss)).toBe(true)
      expect(Math.abs(onWasm.loss - onCpu.loss)).toBeLessThan(1e-4 * Math.abs(onCpu.loss))
      expect(onWasm.deltas.length).toBe(onCpu.deltas.length)
      onCpu.deltas.forEach((delta, i) => expectClose(onWasm.deltas[i], delta))
      // A step that changed nothing would pass the comparison trivially.
      expect(onCpu.deltas.some((d) => d.some((v) => v !== 0))).toBe(true)
    })
  }

  it('a model with batch normalization and dropout learns a fixed batch on wasm', async () => {
    await tf.setBackend('wasm')
    const model = tf.sequential()
    model.add(
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        padding: 'same',
        useBias: false
      })
    )
    model.add(tf.layers.batchNormalization())
    model.add(tf.layers.activation({ activation: 'relu' }))
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }))
    model.add(tf.layers.dropout({ rate: 0.25 }))
    model.add(tf.layers.flatten())
    model.add(tf.layers.dense({ units: 10, activation: 'softmax' }))
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' })
    const xs = tf.tensor4d(
      randomValues(32 * 28 * 28, 11).map((v) => (v + 1) / 2),
      [32, 28, 28, 1]
    )
    const ys = tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 32 }, (_, i) => i % 10),
        'int32'
      ),
      10
    )
    const first = (await model.trainOnBatch(xs, ys)) as number
    let last = first
    for (let i = 0; i < 20; i++) last = (await model.trainOnBatch(xs, ys)) as number
    tf.dispose([xs, ys])
    model.dispose()
    expect(last).toBeLessThan(first * 0.5)
  })
})
