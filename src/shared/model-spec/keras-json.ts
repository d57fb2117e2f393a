/**
 * Keras' own Sequential JSON (what `model.to_json()` writes) <-> the typed spec. Reads Keras 2
 * configs (what tfjs writes: `batch_input_shape` on the first layer or an InputLayer) and Keras 3
 * ones (`module`, `registered_name`, `batch_shape`, dtype-policy objects); writes the form both
 * tfjs (`tf.models.modelFromJSON`) and Keras 3 load: Keras 2 layout with an explicit InputLayer.
 * Anything outside the offered subset is refused with the layer's index and the field.
 */
import * as v from 'valibot'
import { EngineError } from '../errors'
import { IMAGE_SIZE } from '../mnist'
import { describeIssue } from '../schema-issues'
import {
  ArchitectureNameSchema,
  LAYER_TYPES,
  LayerSpecSchema,
  type LayerSpec,
  type ModelSpec
} from './schema'

type Json = Record<string, unknown>
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x)

/** The Keras version written: the Keras 2 layout, which Keras 3 still reads. */
const KERAS_VERSION = '2.15.0'

/** Finds the Sequential `{class_name, config}` in a bare Keras JSON or a tfjs/h5 wrapper. */
function findTopology(json: unknown): Json | null {
  if (!isObject(json)) return null
  if (typeof json.class_name === 'string') return json
  for (const key of ['modelTopology', 'model_config']) {
    const inner = findTopology(json[key])
    if (inner) return inner
  }
  return null
}

/** `3` or `[3, 3]` -> 3; a non-square window is refused (the spec has one size per layer). */
function square(value: unknown, bad: (why: string) => never): number | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value === 'number') return value
  if (Array.isArray(value) && value.length === 2 && value[0] === value[1]) return value[0] as number
  return bad(`${JSON.stringify(value)} is not offered (square windows only, e.g. [3, 3])`)
}

/** The shape an input declares, from any of Keras 2's and 3's spellings. */
function declaredInput(config: Json): unknown[] | null {
  const batch = config.batch_input_shape ?? config.batch_shape
  if (Array.isArray(batch)) return batch.slice(1)
  if (Array.isArray(config.input_shape)) return config.input_shape
  return null
}

const fixedInput = [IMAGE_SIZE, IMAGE_SIZE, 1]

/** Converts one Keras layer config to a spec layer (unvalidated: the schema checks the limits). */
function layerFromKeras(className: string, c: Json, bad: (why: string) => never): unknown {
  const field = (name: string) => (why: string) => bad(`${name}: ${why}`)
  const activation = (): unknown => {
    const a = c.activation ?? 'linear'
    if (typeof a !== 'string') return bad(`activation: only named activations are offered`)
    return a
  }
  const only = (name: string, allowed: unknown[]): void => {
    const value = c[name]
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b)
    if (value !== undefined && value !== null && !allowed.some((x) => same(x, value)))
      bad(`${name}: ${JSON.stringify(value)} is not offered (only ${JSON.stringify(allowed[0])})`)
  }
  switch (className) {
    case 'Conv2D':
      only('dilation_rate', [[1, 1], 1])
      only('groups', [1])
      only('data_format', ['channels_last'])
      return {
        type: 'Conv2D',
        filters: c.filters,
        kernelSize: square(c.kernel_size, field('kernel_size')),
        strides: square(c.strides, field('strides')),
        padding: c.padding,
        activation: activation(),
        useBias: c.use_bias
      }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      only('data_format', ['channels_last'])
      const poolSize = square(c.pool_size, field('pool_size'))
      const strides = square(c.strides, field('strides'))
      // Strides equal to the pool are Keras' default: leave them implied, as the presets do.
      return {
        type: className,
        poolSize,
        strides: strides === poolSize ? undefined : strides,
        padding: c.padding
      }
    }
    case 'BatchNormalization':
      only('axis', [-1, 3, [3], [-1]])
      only('center', [true])
      only('scale', [true])
      return { type: className, momentum: c.momentum, epsilon: c.epsilon }
    case 'Dropout':
      return { type: className, rate: c.rate }
    case 'Activation':
      return { type: className, activation: activation() }
    case 'Flatten':
      only('data_format', ['channels_last'])
      return { type: className }
    case 'GlobalAveragePooling2D':
      only('data_format', ['channels_last'])
      only('keepdims', [false])
      return { type: className }
    case 'Dense':
      return { type: className, units: c.units, activation: activation(), useBias: c.use_bias }
    default:
      return bad(`${className} is not offered (offered: ${LAYER_TYPES.join(', ')})`)
  }
}

/** Keras' null stands for "the default" in the fields we read; valibot's optional wants undefined. */
const dropNulls = (o: unknown): unknown =>
  isObject(o) ? Object.fromEntries(Object.entries(o).filter(([, x]) => x != null)) : o

/**
 * Reads a Keras Sequential JSON (bare, or inside a tfjs model.json or an h5's model_config) into a
 * typed spec. Throws MODEL_INVALID naming `source`, the layer (its index in the JSON's list) and
 * the field for anything outside the offered subset or limits. Shapes are checked by analyse.ts.
 */
export function specFromKerasJson(json: unknown, source = 'model spec'): ModelSpec {
  const fail = (why: string): never => {
    throw new EngineError('MODEL_INVALID', `${source}: ${why}`)
  }
  const topology = findTopology(json)
  if (!topology) return fail('not a Keras model JSON (no "class_name")')
  if (topology.class_name !== 'Sequential')
    return fail(`only Sequential models are offered, not ${String(topology.class_name)}`)
  const config = topology.config
  const rawLayers = Array.isArray(config) ? config : isObject(config) ? config.layers : null
  if (!Array.isArray(rawLayers)) return fail('config.layers is missing')
  const layers: LayerSpec[] = []
  rawLayers.forEach((raw, i) => {
    const className = isObject(raw) ? String(raw.class_name) : '?'
    const bad = (why: string): never => fail(`layers[${i}] (${className}): ${why}`)
    const c = isObject(raw) && isObject(raw.config) ? raw.config : bad('no config')
    const input = declaredInput(c)
    if (input && JSON.stringify(input) !== JSON.stringify(fixedInput))
      bad(`input shape ${JSON.stringify(input)}: the input is always [28, 28, 1]`)
    if (className === 'InputLayer') return
    const candidate = dropNulls(layerFromKeras(className, c, bad))
    const parsed = v.safeParse(LayerSpecSchema, candidate)
    if (!parsed.success) {
      const issue = parsed.issues[0]
      bad(`${v.getDotPath(issue) ?? 'config'}: ${describeIssue(issue)}`)
    } else layers.push(parsed.output)
  })
  const wanted: string =
    isObject(config) && typeof config.name === 'string' ? config.name : 'custom'
  const name = v.is(ArchitectureNameSchema, wanted)
    ? wanted
    : String(wanted)
        .replace(/[^A-Za-z0-9._-]/g, '_')
        .replace(/^[.-]+/, '')
        .slice(0, 64) || 'custom'
  return { name, layers }
}

const SNAKE: Record<string, string> = {
  Conv2D: 'conv2d',
  MaxPooling2D: 'max_pooling2d',
  AveragePooling2D: 'average_pooling2d',
  BatchNormalization: 'batch_normalization',
  Dropout: 'dropout',
  Activation: 'activation',
  Flatten: 'flatten',
  GlobalAveragePooling2D: 'global_average_pooling2d',
  Dense: 'dense'
}

/** One layer's Keras config (Keras 2 names, which Keras 3 reads too). */
function layerToKeras(layer: LayerSpec, name: string): Json {
  const base = { name, trainable: true, dtype: 'float32' }
  const pair = (n: number): number[] => [n, n]
  switch (layer.type) {
    case 'Conv2D':
      return {
        ...base,
        filters: layer.filters,
        kernel_size: pair(layer.kernelSize),
        strides: pair(layer.strides),
        padding: layer.padding,
        data_format: 'channels_last',
        dilation_rate: [1, 1],
        activation: layer.activation,
        use_bias: layer.useBias
      }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return {
        ...base,
        pool_size: pair(layer.poolSize),
        strides: pair(layer.strides ?? layer.poolSize),
        padding: layer.padding,
        data_format: 'channels_last'
      }
    case 'BatchNormalization':
      return {
        ...base,
        axis: -1,
        momentum: layer.momentum,
        epsilon: layer.epsilon,
        center: true,
        scale: true
      }
    case 'Dropout':
      return { ...base, rate: layer.rate }
    case 'Activation':
      return { ...base, activation: layer.activation }
    case 'Flatten':
    case 'GlobalAveragePooling2D':
      return { ...base, data_format: 'channels_last' }
    case 'Dense':
      return { ...base, units: layer.units, activation: layer.activation, use_bias: layer.useBias }
  }
}

/**
 * The spec as Keras Sequential JSON with an explicit InputLayer first: the form Keras 2 writes,
 * tfjs reads, and Keras 3 loads (a first layer carrying `batch_input_shape` instead fails there).
 */
export function specToKerasJson(spec: ModelSpec): Json {
  const counts = new Map<string, number>()
  const layers = spec.layers.map((layer) => {
    const base = SNAKE[layer.type]
    const n = (counts.get(base) ?? 0) + 1
    counts.set(base, n)
    const name = n === 1 ? base : `${base}_${n - 1}`
    return { class_name: layer.type, config: layerToKeras(layer, name) }
  })
  const input = {
    class_name: 'InputLayer',
    config: {
      batch_input_shape: [null, ...fixedInput],
      dtype: 'float32',
      sparse: false,
      name: 'input_layer'
    }
  }
  return {
    class_name: 'Sequential',
    config: { name: spec.name, layers: [input, ...layers] },
    keras_version: KERAS_VERSION,
    backend: 'tensorflow'
  }
}
