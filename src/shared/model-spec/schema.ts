/**
 * The layers a user may stack (issue 14), as valibot schemas: the limits live here once, and the
 * engine (training, `architectures:*`), the CLI and the editor's fields all read them. The typed
 * spec is camelCase TypeScript; Keras' snake_case JSON is read by parse.ts and written by
 * keras-json.ts. Input 28×28×1 and the final Dense(10, softmax) are implied (complete.ts adds them).
 */
import * as v from 'valibot'

const int = (min: number, max: number): v.GenericSchema<number> =>
  v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max))

/** Activations a Conv2D or hidden Dense may have (ONNX maps each, GELU as its erf formula). */
const HIDDEN_ACTIVATIONS = ['relu', 'elu', 'gelu', 'tanh', 'sigmoid', 'linear'] as const
/** A Dense or Activation layer may also end in softmax (the classifier does). */
const ACTIVATIONS = [...HIDDEN_ACTIVATIONS, 'softmax'] as const
const PADDINGS = ['valid', 'same'] as const

const Conv2DSchema = v.object({
  type: v.literal('Conv2D'),
  filters: int(1, 512),
  kernelSize: int(1, 7),
  strides: v.optional(int(1, 2), 1),
  padding: v.optional(v.picklist(PADDINGS), 'valid'),
  activation: v.optional(v.picklist(HIDDEN_ACTIVATIONS), 'linear'),
  useBias: v.optional(v.boolean(), true)
})

const PoolSchema = v.object({
  type: v.picklist(['MaxPooling2D', 'AveragePooling2D']),
  poolSize: int(2, 3),
  /** Keras' default: the pool size (windows side by side). */
  strides: v.optional(int(1, 3)),
  padding: v.optional(v.picklist(PADDINGS), 'valid')
})

const BatchNormSchema = v.object({
  type: v.literal('BatchNormalization'),
  /** Keras' default is 0.99; the `accurate` preset uses 0.9 so short runs settle (models.ts). */
  momentum: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(0.999)), 0.99),
  epsilon: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(0.1)), 0.001)
})

const DropoutSchema = v.object({
  type: v.literal('Dropout'),
  rate: v.pipe(v.number(), v.minValue(0), v.maxValue(0.9))
})

const ActivationSchema = v.object({
  type: v.literal('Activation'),
  activation: v.picklist(ACTIVATIONS)
})

const FlatSchema = v.object({ type: v.picklist(['Flatten', 'GlobalAveragePooling2D']) })

const DenseSchema = v.object({
  type: v.literal('Dense'),
  units: int(1, 4096),
  activation: v.optional(v.picklist(ACTIVATIONS), 'linear'),
  useBias: v.optional(v.boolean(), true)
})

/** One layer of a user's architecture. */
export const LayerSpecSchema = v.variant('type', [
  Conv2DSchema,
  PoolSchema,
  BatchNormSchema,
  DropoutSchema,
  ActivationSchema,
  FlatSchema,
  DenseSchema
])
export type LayerSpec = v.InferOutput<typeof LayerSpecSchema>
type LayerType = LayerSpec['type']

/** The layer types offered, in the editor's order. */
export const LAYER_TYPES: readonly LayerType[] = [
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'BatchNormalization',
  'Dropout',
  'Activation',
  'Flatten',
  'GlobalAveragePooling2D',
  'Dense'
]

/** Names of saved architectures become file names: letters, digits, dot, dash, underscore. */
export const ArchitectureNameSchema = v.pipe(
  v.string(),
  v.minLength(1),
  v.maxLength(64),
  v.regex(/^[A-Za-z0-9_][A-Za-z0-9._-]*$/, 'a name may hold only letters, digits, ".", "-" and "_"')
)

/** A whole architecture: its name and its layers, input to output (at most 64). */
export const ModelSpecSchema = v.object({
  name: ArchitectureNameSchema,
  layers: v.pipe(v.array(LayerSpecSchema), v.maxLength(64))
})
export type ModelSpec = v.InferOutput<typeof ModelSpecSchema>
