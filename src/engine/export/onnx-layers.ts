/**
 * One Keras layer -> ONNX nodes. Convolution kernels go HWIO -> OIHW (the graph runs NCHW up to
 * Flatten, see onnx.ts); Dense weights need no change. An unsupported layer is refused by name.
 */
import type * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import { float, int, ints, type Attr, type GraphBuilder, type Layout } from './onnx-graph'
import { ATTR } from './onnx-proto'

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v]

const unsupported = (layer: tf.layers.Layer, why: string): never => {
  throw new EngineError(
    'EXPORT_FAILED',
    `ONNX export: layer ${layer.name} (${layer.getClassName()}): ${why}`
  )
}

/** Reads a layer's weights as plain arrays (copies; no tensors leak). */
function weightsOf(layer: tf.layers.Layer): { shape: number[]; data: Float32Array }[] {
  return layer.getWeights().map((w) => ({ shape: w.shape, data: w.dataSync() as Float32Array }))
}

/** HWIO (Keras) -> OIHW (ONNX) for a 2-D convolution kernel. */
function kernelToOihw(
  shape: number[],
  data: Float32Array
): { shape: number[]; data: Float32Array } {
  const [h, w, i, o] = shape
  const out = new Float32Array(data.length)
  for (let hh = 0; hh < h; hh++)
    for (let ww = 0; ww < w; ww++)
      for (let ii = 0; ii < i; ii++)
        for (let oo = 0; oo < o; oo++)
          out[((oo * i + ii) * h + hh) * w + ww] = data[((hh * w + ww) * i + ii) * o + oo]
  return { shape: [o, i, h, w], data: out }
}

/** Padding attributes: Keras 'same' puts the odd extra pixel at the end, which is ONNX SAME_UPPER. */
function paddingAttrs(layer: tf.layers.Layer, padding: unknown): Attr[] {
  if (padding === 'valid') return [ints('pads', [0, 0, 0, 0])]
  if (padding === 'same')
    return [{ name: 'auto_pad', type: ATTR.STRING, s: new TextEncoder().encode('SAME_UPPER') }]
  return unsupported(layer, `padding "${String(padding)}"`)
}

/** Appends the node(s) of a Keras activation; 'linear' adds none. */
function activation(
  g: GraphBuilder,
  layer: tf.layers.Layer,
  x: string,
  name: unknown,
  layout: Layout
): string {
  switch (name ?? 'linear') {
    case 'linear':
      return x
    case 'relu':
      return g.node('Relu', [x])
    case 'sigmoid':
      return g.node('Sigmoid', [x])
    case 'tanh':
      return g.node('Tanh', [x])
    case 'elu':
      return g.node('Elu', [x])
    case 'softplus':
      return g.node('Softplus', [x])
    case 'gelu':
      return gelu(g, x)
    case 'softmax':
      // Keras normalises over the last axis: channels, which sit on axis 1 in the NCHW part.
      return g.node('Softmax', [x], [int('axis', layout === 'nchw' ? 1 : -1)])
    default:
      return unsupported(layer, `activation "${String(name)}"`)
  }
}

/**
 * GELU as Keras and tfjs compute it (exact, not the tanh approximation): x * 0.5 * (1 + erf(x/√2)).
 * Opset 13 has Erf but no Gelu (that came in opset 20), so it is written out.
 */
function gelu(g: GraphBuilder, x: string): string {
  const scalar = (value: number): string =>
    g.floats(`const_${g.nodes.length}_${value}`, [], Float32Array.of(value))
  const scaled = g.node('Div', [x, scalar(Math.SQRT2)])
  const erf = g.node('Erf', [scaled])
  const cdf = g.node('Mul', [g.node('Add', [erf, scalar(1)]), scalar(0.5)])
  return g.node('Mul', [x, cdf], [], 'gelu')
}

/** Appends the nodes of one layer after `x`; returns the new tensor and its layout. */
export function convertLayer(
  g: GraphBuilder,
  layer: tf.layers.Layer,
  x: string,
  layout: Layout
): { x: string; layout: Layout } {
  const cfg = layer.getConfig() as Record<string, unknown>
  const cls = layer.getClassName()
  const prefix = layer.name.replace(/[^A-Za-z0-9_]/g, '_')
  switch (cls) {
    case 'InputLayer':
    case 'Dropout':
    case 'SpatialDropout2D':
    case 'GaussianNoise':
    case 'GaussianDropout':
      // Identity at inference time.
      return { x, layout }
    case 'Conv2D': {
      if (layout !== 'nchw') unsupported(layer, 'Conv2D after Flatten')
      if (cfg.dataFormat === 'channelsFirst') unsupported(layer, 'channelsFirst data format')
      const [kernel, bias] = weightsOf(layer)
      const k = kernelToOihw(kernel.shape, kernel.data)
      const inputs = [x, g.floats(`${prefix}_kernel`, k.shape, k.data)]
      if (bias) inputs.push(g.floats(`${prefix}_bias`, bias.shape, bias.data))
      const attrs = [
        ints('kernel_shape', [k.shape[2], k.shape[3]]),
        ints('strides', pair(cfg.strides as number[], 1)),
        ints('dilations', pair(cfg.dilationRate as number[], 1)),
        ...paddingAttrs(layer, cfg.padding)
      ]
      const y = g.node('Conv', inputs, attrs, prefix)
      return { x: activation(g, layer, y, cfg.activation, layout), layout }
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (layout !== 'nchw') unsupported(layer, 'pooling after Flatten')
      const size = pair(cfg.poolSize as number[], 2)
      const attrs = [
        ints('kernel_shape', size),
        ints('strides', cfg.strides == null ? size : pair(cfg.strides as number[], 1)),
        ...paddingAttrs(layer, cfg.padding)
      ]
      return {
        x: g.node(cls === 'MaxPooling2D' ? 'MaxPool' : 'AveragePool', [x], attrs, prefix),
        layout
      }
    }
    case 'GlobalAveragePooling2D': {
      if (layout !== 'nchw') unsupported(layer, 'global pooling after Flatten')
      // [N, C, 1, 1] -> [N, C]: the channel order is the same in both layouts, nothing to transpose.
      const pooled = g.node('GlobalAveragePool', [x], [], prefix)
      return { x: g.node('Flatten', [pooled], [int('axis', 1)]), layout: 'flat' }
    }
    case 'Flatten': {
      // Back to NHWC first: Keras flattens channels-last, and the next Dense was trained on that order.
      const nhwc =
        layout === 'nchw' ? g.node('Transpose', [x], [ints('perm', [0, 2, 3, 1])], 'to_nhwc') : x
      return { x: g.node('Flatten', [nhwc], [int('axis', 1)], prefix), layout: 'flat' }
    }
    case 'Dense': {
      if (layout !== 'flat') unsupported(layer, 'Dense on a 4-D tensor (add a Flatten before it)')
      const [kernel, bias] = weightsOf(layer)
      const inputs = [x, g.floats(`${prefix}_kernel`, kernel.shape, kernel.data)]
      if (bias) inputs.push(g.floats(`${prefix}_bias`, bias.shape, bias.data))
      const y = g.node('Gemm', inputs, [], prefix)
      return { x: activation(g, layer, y, cfg.activation, layout), layout }
    }
    case 'Activation':
      return { x: activation(g, layer, x, cfg.activation, layout), layout }
    case 'ReLU':
      if (cfg.maxValue != null) unsupported(layer, 'ReLU with maxValue')
      return { x: g.node('Relu', [x]), layout }
    case 'Softmax':
      return { x: activation(g, layer, x, 'softmax', layout), layout }
    case 'BatchNormalization': {
      const axis = cfg.axis as number
      if (!(
        axis === -1 ||
        (layout === 'nchw' && axis === 3) ||
        (layout === 'flat' && axis === 1)
      )) {
        unsupported(layer, `normalisation over axis ${axis} (only the channel axis is supported)`)
      }
      const w = weightsOf(layer)
      let i = 0
      const channels = w[w.length - 1].shape[0]
      // Keras omits gamma when scale=false and beta when center=false: ONNX needs both, as 1s and 0s.
      const gamma = cfg.scale === false ? new Float32Array(channels).fill(1) : w[i++].data
      const beta = cfg.center === false ? new Float32Array(channels) : w[i++].data
      // The moving statistics are always the last two weights.
      const [mean, variance] = [w[i].data, w[i + 1].data]
      const inputs = [
        x,
        g.floats(`${prefix}_gamma`, [channels], gamma),
        g.floats(`${prefix}_beta`, [channels], beta),
        g.floats(`${prefix}_moving_mean`, [channels], mean),
        g.floats(`${prefix}_moving_variance`, [channels], variance)
      ]
      return {
        x: g.node('BatchNormalization', inputs, [float('epsilon', cfg.epsilon as number)], prefix),
        layout
      }
    }
    default:
      return unsupported(layer, 'this layer type has no ONNX mapping in Digit Studio')
  }
}
