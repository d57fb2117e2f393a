/**
 * What the views show of a forward pass: every convolution block's activations (channels ranked
 * strongest first), the hidden dense layer's units, and the first convolution's filters.
 */
import * as tf from '@tensorflow/tfjs'
import type { FilterBank, LayerActivation } from '#shared/protocol/explain'
import { firstConvKernel, type LayerBlock, type ModelAnatomy } from './model-anatomy'

/** Indices of the last axis, by mean value over the other axes, largest first. */
function strongestFirst(data: Float32Array, channels: number): number[] {
  const sums = new Float64Array(channels)
  for (let i = 0; i < data.length; i++) sums[i % channels] += data[i]
  return Array.from(sums.keys()).sort((a, b) => sums[b] - sums[a] || a - b)
}

/** Summary (and with `withData`, values and ranking) of one block's output for image 0 of a batch. */
function describeBlock(block: LayerBlock, output: tf.Tensor, withData: boolean): LayerActivation {
  const shape = output.shape.slice(1)
  const data = output.dataSync().slice(
    0,
    shape.reduce((a, b) => a * b, 1)
  ) as Float32Array
  let max = -Infinity
  let sum = 0
  for (const value of data) {
    sum += value
    if (value > max) max = value
  }
  const summary: LayerActivation = {
    name: block.layer.name,
    className: block.layer.getClassName(),
    shape,
    mean: sum / data.length,
    max
  }
  if (!withData) return summary
  return { ...summary, data, order: strongestFirst(data, shape[shape.length - 1]) }
}

/** Convolution blocks, then the hidden dense layer, from the outputs of `forwardPass`. */
export function describeLayers(
  anatomy: ModelAnatomy,
  outputs: tf.Tensor[],
  withData: boolean
): LayerActivation[] {
  const blocks = [...anatomy.convBlocks, ...(anatomy.hiddenDense ? [anatomy.hiddenDense] : [])]
  return blocks.map((b) => describeBlock(b, outputs[b.outputIndex], withData))
}

/** The first convolution's filters as small images (input channels averaged), or null. */
export function firstLayerFilters(anatomy: ModelAnatomy): FilterBank | null {
  const kernel = firstConvKernel(anatomy)
  if (!kernel) return null
  const [height, width, , count] = kernel.shape
  const data = tf.tidy(() =>
    // [kh, kw, in, out] -> mean over inputs -> [out, kh, kw]
    tf.transpose(tf.mean(kernel, 2), [2, 0, 1]).dataSync()
  ) as Float32Array
  return { layer: anatomy.convBlocks[0].layer.name, height, width, count, data }
}
