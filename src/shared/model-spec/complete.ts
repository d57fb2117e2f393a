/**
 * The fixed ends of every architecture: the input is always 28×28×1 (implied, never a layer of
 * the spec) and the output a 10-way softmax, added when the user's stack does not end in one.
 */
import { NUM_CLASSES } from '../mnist'
import { analyseLayers } from './analyse'
import type { LayerSpec, ModelSpec } from './schema'

/** True when the last layers already give ten probabilities. */
function endsInSoftmax10(layers: LayerSpec[]): boolean {
  const last = layers[layers.length - 1]
  if (last?.type === 'Dense') return last.units === NUM_CLASSES && last.activation === 'softmax'
  if (last?.type === 'Activation' && last.activation === 'softmax') {
    const shape = analyseLayers(layers).layers.at(-1)?.outputShape
    return shape?.length === 1 && shape[0] === NUM_CLASSES
  }
  return false
}

/**
 * Adds the classifier when missing: Dense(10, softmax), after a Flatten when the stack still ends
 * in an image. A stack that is broken earlier is returned as it is (its analysis says why).
 */
export function completeSpec(spec: ModelSpec): ModelSpec {
  if (endsInSoftmax10(spec.layers)) return spec
  const analysis = analyseLayers(spec.layers)
  const shape = analysis.layers.at(-1)?.outputShape ?? (spec.layers.length ? null : [28, 28, 1])
  if (!shape) return spec
  const tail: LayerSpec[] = shape.length === 3 ? [{ type: 'Flatten' }] : []
  tail.push({ type: 'Dense', units: NUM_CLASSES, activation: 'softmax', useBias: true })
  return { ...spec, layers: [...spec.layers, ...tail] }
}
