/**
 * ONNX export (opset 13) written from the trained layers, no Python converter involved.
 *
 * Layout: Keras/TF.js layers are channels-last (NHWC), ONNX's Conv and pooling are channels-first
 * (NCHW). The graph takes the same NHWC input the engine does, transposes it once to NCHW, runs
 * the convolutions with kernels converted HWIO -> OIHW, and transposes back to NHWC right before
 * Flatten, so the flattened vector has Keras' element order and the Dense weights need no change.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import { appVersion } from '../store/paths'
import type { ExportMetadata } from './metadata'
import { metadataEntries } from './metadata'
import { ATTR, encodeModel, ONNX_FLOAT, ONNX_INT64 } from './onnx-proto'

/** Opset 13 is the oldest with Softmax over one axis as Keras means it; every runtime since 2021 reads it. */
export const ONNX_OPSET = 13
/** IR version 7 is the one opset 13 shipped with (ONNX 1.8). */
const IR_VERSION = 7
const ONNX_INPUT = 'input'
const ONNX_OUTPUT = 'probabilities'

type Attr = Record<string, unknown>
type Layout = 'nchw' | 'flat'

const ints = (name: string, values: number[]): Attr => ({ name, type: ATTR.INTS, ints: values })
const int = (name: string, value: number): Attr => ({ name, type: ATTR.INT, i: value })
const float = (name: string, value: number): Attr => ({ name, type: ATTR.FLOAT, f: value })

/** Accumulates nodes and initializers with unique, readable tensor names. */
class GraphBuilder {
  readonly nodes: Record<string, unknown>[] = []
  readonly initializers: Record<string, unknown>[] = []
  private count = 0

  node(op: string, inputs: string[], attrs: Attr[] = [], hint = op.toLowerCase()): string {
    const output = `${hint}_${this.count++}`
    this.nodes.push({
      op_type: op,
      name: output,
      input: inputs,
      output: [output],
      attribute: attrs
    })
    return output
  }

  floats(name: string, dims: number[], data: Float32Array): string {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    // raw_data is little-endian by the spec; Float32Array is little-endian on every platform we ship.
    this.initializers.push({ name, dims, data_type: ONNX_FLOAT, raw_data: Uint8Array.from(bytes) })
    return name
  }

  int64s(name: string, values: number[]): string {
    this.initializers.push({
      name,
      dims: [values.length],
      data_type: ONNX_INT64,
      int64_data: values
    })
    return name
  }
}

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

function convertLayer(
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

function valueInfo(name: string, shape: (number | null)[]): Record<string, unknown> {
  const dim = shape.map((d) => (d == null ? { dim_param: 'batch' } : { dim_value: d }))
  return { name, type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim } } } }
}

/**
 * Converts a chain of layers (Sequential, or a functional model without branches) into ONNX bytes.
 * Unsupported layers are refused with their name, never silently skipped.
 */
export function modelToOnnx(model: tf.LayersModel, metadata: ExportMetadata): Uint8Array {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new EngineError(
      'EXPORT_FAILED',
      'ONNX export: only models with one input and one output are supported'
    )
  }
  const inputShape = model.inputs[0].shape
  if (inputShape.length !== 4)
    throw new EngineError(
      'EXPORT_FAILED',
      'ONNX export: the input must be [batch, height, width, channels]'
    )
  for (const layer of model.layers) {
    if (layer.inboundNodes.some((n) => n.inboundLayers.length > 1)) {
      throw new EngineError(
        'EXPORT_FAILED',
        `ONNX export: layer ${layer.name} has several inputs; only layer chains are supported`
      )
    }
  }
  const g = new GraphBuilder()
  let state: { x: string; layout: Layout } = {
    x: g.node('Transpose', [ONNX_INPUT], [ints('perm', [0, 3, 1, 2])], 'to_nchw'),
    layout: 'nchw'
  }
  for (const layer of model.layers) state = convertLayer(g, layer, state.x, state.layout)
  if (state.layout === 'nchw') {
    throw new EngineError(
      'EXPORT_FAILED',
      'ONNX export: the model must end in a flat [batch, classes] output'
    )
  }
  g.nodes.push({
    op_type: 'Identity',
    name: ONNX_OUTPUT,
    input: [state.x],
    output: [ONNX_OUTPUT],
    attribute: []
  })
  return encodeModel({
    ir_version: IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'Digit Studio',
    producer_version: appVersion(),
    doc_string: `MNIST digit classifier. Input "${ONNX_INPUT}": ${metadata.input}. Output "${ONNX_OUTPUT}": 10 class probabilities.`,
    graph: {
      name: model.name,
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, inputShape)],
      output: [valueInfo(ONNX_OUTPUT, model.outputs[0].shape)]
    },
    metadata_props: metadataEntries(metadata)
  })
}
