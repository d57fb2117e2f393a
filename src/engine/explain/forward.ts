/**
 * Runs a model layer by layer so every intermediate output is at hand in one pass, and the logits
 * (before softmax) can be taken where saliency needs them. Equal to `tf.model` with intermediate
 * outputs (test/unit/explain-engine.test.ts checks it), without building a second model per request.
 */
import * as tf from '@tensorflow/tfjs'
import type { ModelAnatomy } from './model-anatomy'

interface ForwardPass {
  /** Output of every layer of `anatomy.chain`, same order. */
  outputs: tf.Tensor[]
  /** [batch, classes] scores before the softmax. */
  logits: tf.Tensor2D
}

/** Logits of the output Dense layer from its input, without its softmax. */
function denseLogits(layer: tf.layers.Layer, input: tf.Tensor): tf.Tensor2D {
  const [kernel, bias] = layer.getWeights()
  const scores = tf.matMul(input as tf.Tensor2D, kernel as tf.Tensor2D)
  return (bias ? tf.add(scores, bias) : scores) as tf.Tensor2D
}

/**
 * Every layer's output and the logits for a [batch, 28, 28, 1] input, in inference mode (dropout
 * off, batch norm on its moving averages). Call inside tf.tidy: the tensors are not kept.
 */
export function forwardPass(anatomy: ModelAnatomy, input: tf.Tensor4D): ForwardPass {
  const { chain, softmax } = anatomy
  const outputs: tf.Tensor[] = []
  let x: tf.Tensor = input
  let logits: tf.Tensor2D | null = null
  for (const [i, layer] of chain.entries()) {
    const isLast = i === chain.length - 1
    if (isLast && softmax === 'dense-softmax') {
      logits = denseLogits(layer, x)
      x = tf.softmax(logits)
    } else {
      if (isLast && softmax === 'softmax-layer') logits = x as tf.Tensor2D
      x = layer.apply(x, { training: false }) as tf.Tensor
    }
    outputs.push(x)
  }
  return { outputs, logits: logits ?? (x as tf.Tensor2D) }
}

/** Only the logits: what the gradient methods differentiate. */
export function logitsOf(anatomy: ModelAnatomy, input: tf.Tensor4D): tf.Tensor2D {
  return forwardPass(anatomy, input).logits
}
