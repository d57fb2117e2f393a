/**
 * Finds the parts of a model the Inside view shows, from the model itself rather than from a
 * preset name: the chain of layers, the convolution blocks, the first convolution, the last hidden
 * dense layer and how to reach the logits. Any sequential architecture the app can train or import
 * works; a view that doesn't apply (no hidden dense layer in `fast`) is simply absent.
 */
import * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'

/** A layer whose output the views show, with the layers that finish its work (norm, activation). */
export interface LayerBlock {
  /** The convolution or dense layer that names the block. */
  layer: tf.layers.Layer
  /** Index in `chain` of the last layer of the block: its output is the block's activation. */
  outputIndex: number
}

export interface ModelAnatomy {
  /** Every layer from input to output, in order (the InputLayer left out). */
  chain: tf.layers.Layer[]
  convBlocks: LayerBlock[]
  /** The last dense layer before the output layer, or null when the model has none (`fast`). */
  hiddenDense: LayerBlock | null
  /**
   * How the output layer reaches probabilities: 'dense-softmax' (a Dense layer with a softmax
   * activation, the presets), 'softmax-layer' (a separate Activation layer) or 'none' (the output is
   * already what we explain). Saliency is taken on the logits, because a saturated softmax (p = 0.9999)
   * has almost no gradient left and would make every map look like noise.
   */
  softmax: 'dense-softmax' | 'softmax-layer' | 'none'
}

const CONV_CLASSES = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D'])
/** Layers that finish a conv or dense layer's work: its output is shown after them. */
const FOLLOWERS = new Set(['BatchNormalization', 'Activation', 'ReLU', 'LeakyReLU', 'ELU'])

function activationOf(layer: tf.layers.Layer): string | undefined {
  const config = layer.getConfig() as { activation?: unknown }
  return typeof config.activation === 'string' ? config.activation : undefined
}

/** Throws MODEL_INVALID unless every layer takes exactly the previous layer's output. */
function requireChain(model: tf.LayersModel, chain: tf.layers.Layer[]): void {
  for (let i = 1; i < chain.length; i++) {
    const nodes = chain[i].inboundNodes
    const inbound = nodes.length === 1 ? nodes[0].inboundLayers : []
    const previous = chain[i - 1]
    if (inbound.length !== 1 || inbound[0] !== previous) {
      throw new EngineError(
        'MODEL_INVALID',
        `model "${model.name}": layer "${chain[i].name}" does not simply follow "${previous.name}"; ` +
          'the Inside view explains sequential models (one layer after another) only'
      )
    }
  }
}

function block(chain: tf.layers.Layer[], index: number, stopAt: number): LayerBlock {
  let end = index
  while (end + 1 < stopAt && FOLLOWERS.has(chain[end + 1].getClassName())) end++
  return { layer: chain[index], outputIndex: end }
}

/** Describes `model` for the explain views; MODEL_INVALID when it is not a plain chain of layers. */
export function describeAnatomy(model: tf.LayersModel): ModelAnatomy {
  const chain = model.layers.filter((l) => l.getClassName() !== 'InputLayer')
  requireChain(model, chain)
  const last = chain[chain.length - 1]
  const softmax =
    last.getClassName() === 'Dense' && activationOf(last) === 'softmax'
      ? 'dense-softmax'
      : last.getClassName() === 'Activation' && activationOf(last) === 'softmax'
        ? 'softmax-layer'
        : 'none'
  // The output layer is not "hidden": with a separate softmax layer, the dense before it is output too.
  const outputIndex = softmax === 'softmax-layer' ? chain.length - 2 : chain.length - 1
  const convBlocks: LayerBlock[] = []
  let hiddenDense: LayerBlock | null = null
  chain.forEach((layer, i) => {
    const name = layer.getClassName()
    if (CONV_CLASSES.has(name)) convBlocks.push(block(chain, i, outputIndex))
    if (name === 'Dense' && i < outputIndex) hiddenDense = block(chain, i, outputIndex)
  })
  return { chain, convBlocks, hiddenDense, softmax }
}

/** The first convolution's kernel as [kh, kw, in, out], or null when the model has no convolution. */
export function firstConvKernel(anatomy: ModelAnatomy): tf.Tensor4D | null {
  const first = anatomy.convBlocks[0]?.layer
  if (!first || first.getClassName() !== 'Conv2D') return null
  return first.getWeights()[0] as tf.Tensor4D
}
