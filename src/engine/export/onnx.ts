/**
 * ONNX export (opset 13) written from the trained layers, no Python converter involved.
 *
 * Layout: Keras/TF.js layers are channels-last (NHWC), ONNX's Conv and pooling are channels-first
 * (NCHW). The graph takes the same NHWC input the engine does, transposes it once to NCHW, runs
 * the convolutions with kernels converted HWIO -> OIHW, and transposes back to NHWC right before
 * Flatten, so the flattened vector has Keras' element order and the Dense weights need no change.
 */
import type * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import { appVersion } from '../store/paths'
import type { ExportMetadata } from './metadata'
import { metadataEntries } from './metadata'
import { GraphBuilder, ints, type Layout } from './onnx-graph'
import { convertLayer } from './onnx-layers'
import { encodeModel, ONNX_FLOAT } from './onnx-proto'

/** Opset 13 is the oldest with Softmax over one axis as Keras means it; every runtime since 2021 reads it. */
export const ONNX_OPSET = 13
/** IR version 7 is the one opset 13 shipped with (ONNX 1.8). */
const IR_VERSION = 7
const ONNX_INPUT = 'input'
const ONNX_OUTPUT = 'probabilities'

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
