/**
 * Checks a model.json before tfjs builds its layers (RELIABILITY P4). Building allocates every
 * weight the topology asks for, so a 3 KB model.json declaring a 1,000,000-unit dense layer costs
 * gigabytes before tfjs ever compares it with the weights. Here, from the JSON alone: the weights
 * manifest must stay under MAX_MODEL_PARAMETERS, and every layer whose size is written in its
 * config (units, filters, an embedding's dimensions) must find a kernel of that size in the
 * manifest. Layers sized by their input (batch norm, pooling, ...) follow from those.
 */
import type * as tf from '@tensorflow/tfjs'
import { EngineError } from '#shared/errors'
import { MAX_MODEL_PARAMETERS } from '#shared/protocol/models'

const count = (shape: number[]): number => shape.reduce((a, b) => a * b, 1)
const fmt = (n: number): string => n.toLocaleString('en-US')

interface SizedLayer {
  name: string
  /** The config field and the size it declares for the last dimension of the layer's kernel. */
  field: string
  size: number
}

/** Every layer config in the topology (nested models included) that declares its own size. */
function sizedLayers(node: unknown, found: SizedLayer[] = []): SizedLayer[] {
  if (Array.isArray(node)) {
    for (const item of node) sizedLayers(item, found)
  } else if (node && typeof node === 'object') {
    const { class_name: className, config } = node as { class_name?: unknown; config?: unknown }
    if (typeof className === 'string' && config && typeof config === 'object') {
      const c = config as Record<string, unknown>
      const field = ['units', 'filters', 'output_dim'].find((f) => typeof c[f] === 'number')
      if (field && typeof c.name === 'string')
        found.push({ name: c.name, field, size: c[field] as number })
    }
    for (const value of Object.values(node)) sizedLayers(value, found)
  }
  return found
}

/** Throws MODEL_INVALID (naming `jsonPath`) unless the model.json is safe to build. */
export function preflightModelJson(json: tf.io.ModelJSON, jsonPath: string): void {
  const bad = (problem: string): never => {
    throw new EngineError('MODEL_INVALID', `${jsonPath}: ${problem}`)
  }
  const weights = json.weightsManifest.flatMap((group) =>
    Array.isArray(group?.weights) ? group.weights : []
  )
  for (const w of weights) {
    if (
      typeof w?.name !== 'string' ||
      !Array.isArray(w.shape) ||
      !w.shape.every((d) => Number.isInteger(d) && d >= 0)
    )
      bad(`weight ${JSON.stringify(w?.name)} in the manifest has no valid shape`)
  }
  const modelWeights = weights.filter((w) => w.group !== 'optimizer')
  const parameters = modelWeights.reduce((n, w) => n + count(w.shape), 0)
  if (parameters > MAX_MODEL_PARAMETERS)
    bad(`${fmt(parameters)} parameters, over the limit of ${fmt(MAX_MODEL_PARAMETERS)}`)
  for (const layer of sizedLayers(json.modelTopology)) {
    const kernels = modelWeights.filter(
      (w) => w.name.split('/').includes(layer.name) && /(kernel|embeddings)$/.test(w.name)
    )
    const matches = kernels.some((w) => w.shape[w.shape.length - 1] === layer.size)
    if (!matches) {
      const has = kernels.length
        ? `its kernel in the weights manifest is [${kernels[0].shape.join(',')}]`
        : 'the weights manifest has no kernel for it'
      bad(`layer ${layer.name} declares ${layer.field} ${fmt(layer.size)}, but ${has}`)
    }
  }
}
