import * as tf from '@tensorflow/tfjs'
import { release, runWasm, type KernelArgs } from './wasm-ops'

type Shape4 = [number, number, number, number]
type StockKernel = (args: KernelArgs) => tf.TensorInfo

/**
 * Conv2DBackpropInput (the input gradient of a 2-D convolution) for wasm. With stride 1 it is a
 * forward convolution of dy with the filter rotated 180 degrees and its in/out channels swapped,
 * padded by (kernel - 1 - forward padding), which XNNPACK runs far faster than the stock kernel's
 * loops. Strided convolutions keep the stock kernel.
 */
export function makeConv2dBackpropInput(stock: StockKernel): StockKernel {
  return (args) => {
    const { inputs, backend, attrs = {} } = args
    const dy = inputs.dy as tf.TensorInfo
    const filter = inputs.filter as tf.TensorInfo
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs
    if (dataFormat === 'NCHW') return stock(args)
    const info = tf.backend_util.computeConv2DInfo(
      inputShape as Shape4,
      filter.shape as Shape4,
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast'
    )
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return stock(args)
    const { filterHeight, filterWidth, padInfo } = info
    const flipped = runWasm(tf.Reverse, backend, { x: filter }, { dims: [0, 1] })
    const swapped = runWasm(tf.Transpose, backend, { x: flipped }, { perm: [0, 1, 3, 2] })
    const dx = runWasm(tf.Conv2D, backend, { x: dy, filter: swapped }, {
      strides: [1, 1],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [filterHeight - 1 - padInfo.top, filterHeight - 1 - padInfo.bottom],
        [filterWidth - 1 - padInfo.left, filterWidth - 1 - padInfo.right],
        [0, 0]
      ],
      dataFormat: 'NHWC'
    } as unknown as tf.NamedAttrMap)
    release(backend, flipped, swapped)
    return dx
  }
}
