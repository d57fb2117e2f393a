/**
 * Keras HDF5 export: the `.h5` layout Keras 2 writes with `model.save('x.h5')` (legacy H5 format,
 * still read by `tf.keras.models.load_model` and Keras 3's `legacy_h5_format`):
 *
 *   /                       attrs: keras_version, backend, model_config (JSON), digit_studio_metadata
 *   /model_weights          attrs: layer_names, backend, keras_version
 *   /model_weights/<layer>  attrs: weight_names = ["<layer>/kernel:0", "<layer>/bias:0"]
 *   /model_weights/<layer>/<layer>/kernel:0   float32 dataset, Keras' own shape (HWIO for Conv2D)
 *
 * TF.js layers already serialise their configs in Keras' JSON format (snake_case, `class_name` +
 * `config`), so model_config is the model's own topology.
 */
import * as tf from '@tensorflow/tfjs'
import type { ExportMetadata } from './metadata'

type H5wasm = typeof import('h5wasm/node').default

/**
 * The Keras version written into the file. Keras' loader branches on it only for Keras 1 files;
 * we write the Keras 2 layout, so we say so.
 */
export const KERAS_VERSION = '2.15.0'
const BACKEND = 'tensorflow'

/** Keras' name for a weight: `<layer>/<short name>:0`, from tfjs' `<layer>/<short name>` naming. */
function kerasWeightName(layerName: string, weightName: string): string {
  const short = weightName.split('/').pop() ?? weightName
  return `${layerName}/${short}:0`
}

type KerasLayer = { class_name: string; config: Record<string, unknown> }

/**
 * The model's topology as Keras JSON (`{class_name, config}`), without tfjs-only top-level keys,
 * and with an explicit InputLayer first, as Keras 2's own Sequential configs have it: tfjs puts
 * `batch_input_shape` on the first layer instead, which Keras 3 misreads as that layer's own
 * input ("Kernel shape must have the same length as input ... (None, None, 28, 28, 1)").
 */
export function kerasModelConfig(model: tf.LayersModel): { class_name: string; config: unknown } {
  const topology = model.toJSON(undefined, false) as unknown as {
    class_name: string
    config: { layers?: KerasLayer[] }
  }
  const layers = topology.config.layers
  const first = layers?.[0]
  if (topology.class_name === 'Sequential' && first && first.class_name !== 'InputLayer') {
    const { batch_input_shape: shape, ...rest } = first.config
    if (Array.isArray(shape)) {
      const names = new Set(layers.map((l) => l.config.name))
      let name = 'input_layer'
      for (let i = 1; names.has(name); i++) name = `input_layer_${i}`
      const input: KerasLayer = {
        class_name: 'InputLayer',
        config: { batch_input_shape: shape, dtype: 'float32', sparse: false, name }
      }
      topology.config.layers = [input, { ...first, config: rest }, ...layers.slice(1)]
    }
  }
  return { class_name: topology.class_name, config: topology.config }
}

let loading: Promise<H5wasm> | null = null

/**
 * h5wasm is loaded on the first Keras export, not with the engine: instantiating its wasm module
 * takes ~630 MB of resident memory, which every engine process (and every training run) would
 * otherwise carry without ever writing an .h5 file.
 */
export function loadH5wasm(): Promise<H5wasm> {
  loading ??= import('h5wasm/node').then(async ({ default: h5wasm }) => {
    await h5wasm.ready
    return h5wasm
  })
  return loading
}

/** Writes `model` as a Keras HDF5 file at `path` (the caller makes it atomic via a temp path). */
export async function writeKerasH5(
  model: tf.LayersModel,
  metadata: ExportMetadata,
  path: string
): Promise<void> {
  const h5wasm = await loadH5wasm()
  const file = new h5wasm.File(path, 'w')
  try {
    file.create_attribute('keras_version', KERAS_VERSION)
    file.create_attribute('backend', BACKEND)
    file.create_attribute('model_config', JSON.stringify(kerasModelConfig(model)))
    file.create_attribute('digit_studio_metadata', JSON.stringify(metadata))
    const weightsGroup = file.create_group('model_weights')
    weightsGroup.create_attribute(
      'layer_names',
      model.layers.map((l) => l.name)
    )
    weightsGroup.create_attribute('backend', BACKEND)
    weightsGroup.create_attribute('keras_version', KERAS_VERSION)
    for (const layer of model.layers) {
      const group = weightsGroup.create_group(layer.name)
      const names = layer.weights.map((w) => kerasWeightName(layer.name, w.originalName))
      // Keras writes an empty float array for layers without weights (pooling, flatten, dropout).
      if (names.length === 0) group.create_attribute('weight_names', new Float64Array(0), [0])
      else group.create_attribute('weight_names', names)
      if (names.length === 0) continue
      const inner = group.create_group(layer.name)
      const values = layer.getWeights()
      names.forEach((name, i) => {
        const data = values[i].dataSync() as Float32Array
        inner.create_dataset({
          name: name.slice(layer.name.length + 1),
          data: Float32Array.from(data),
          shape: values[i].shape
        })
      })
    }
  } finally {
    file.close()
  }
}
