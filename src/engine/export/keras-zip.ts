/**
 * Keras 3's native `.keras` file: a zip of `config.json` (the model, serialised the Keras 3 way:
 * `module`, `class_name`, `config`, `registered_name`), `metadata.json` and `model.weights.h5`,
 * where each layer's variables sit at `layers/<layer name>/vars/<index>` in the layer's own
 * order (kernel, bias; gamma, beta, moving mean, moving variance), as `model.save('x.keras')`
 * writes them. Loaded with `keras.models.load_model('x.keras')`.
 *
 * The `<layer name>` there is not the layer's own name: Keras 3 names each entry of a list of
 * layers by its class in snake case, numbered per class (`conv2d`, `conv2d_1`, `dense`, ...; see
 * keras/src/saving/saving_lib.py `_save_container_state`).
 */
import type * as tf from '@tensorflow/tfjs'
import { readFile, rm, writeFile } from 'node:fs/promises'
import { zipSync } from 'fflate'
import { kerasModelConfig, loadH5wasm } from './keras'
import type { ExportMetadata } from './metadata'

/**
 * The oldest Keras that reads this layout; the file records it as the version written. Keras only
 * warns when a file says it came from a newer Keras, so claiming the oldest is the honest choice.
 */
const KERAS3_FORMAT_VERSION = '3.0.0'

type KerasLayer = { class_name: string; config: Record<string, unknown> }

/** Keras 3's serialisation of the Sequential: each object says which module it comes from. */
function keras3Config(model: tf.LayersModel): Record<string, unknown> {
  const { config } = kerasModelConfig(model) as { config: { name: string; layers: KerasLayer[] } }
  const input = config.layers[0]?.config.batch_input_shape ?? null
  return {
    module: 'keras',
    class_name: 'Sequential',
    config: {
      name: config.name,
      trainable: true,
      dtype: 'float32',
      layers: config.layers.map((l) => ({
        module: 'keras.layers',
        class_name: l.class_name,
        config: l.config,
        registered_name: null
      }))
    },
    registered_name: null,
    build_config: { input_shape: input },
    compile_config: null
  }
}

/** Keras' `naming.to_snake_case` for a class name: MaxPooling2D -> max_pooling2d. */
function toSnakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
}

/** Writes model.weights.h5 in Keras 3's layout at `path`. */
async function writeWeightsH5(model: tf.LayersModel, path: string): Promise<void> {
  const h5wasm = await loadH5wasm()
  const file = new h5wasm.File(path, 'w')
  try {
    file.create_group('vars').create_attribute('name', model.name)
    const layers = file.create_group('layers')
    const used = new Map<string, number>()
    for (const layer of model.layers) {
      if (layer.getClassName() === 'InputLayer') continue
      const base = toSnakeCase(layer.getClassName())
      const n = used.has(base) ? used.get(base)! + 1 : 0
      used.set(base, n)
      const vars = layers.create_group(n ? `${base}_${n}` : base).create_group('vars')
      vars.create_attribute('name', layer.name)
      layer.getWeights().forEach((value, i) => {
        vars.create_dataset({
          name: String(i),
          data: Float32Array.from(value.dataSync() as Float32Array),
          shape: value.shape
        })
      })
    }
  } finally {
    file.close()
  }
}

/** Writes `model` as a `.keras` zip at `path` (the caller makes it atomic via a temp path). */
export async function writeKerasZip(
  model: tf.LayersModel,
  metadata: ExportMetadata,
  path: string
): Promise<void> {
  const weightsPath = `${path}.weights.h5`
  try {
    await writeWeightsH5(model, weightsPath)
    const text = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o))
    const zip = zipSync(
      {
        'metadata.json': text({
          keras_version: KERAS3_FORMAT_VERSION,
          date_saved: metadata.exportedAt,
          digit_studio: metadata
        }),
        'config.json': text(keras3Config(model)),
        'model.weights.h5': new Uint8Array(await readFile(weightsPath))
      },
      // Stored, not deflated: what Keras itself writes, and the weights hardly compress.
      { level: 0 }
    )
    await writeFile(path, zip)
  } finally {
    await rm(weightsPath, { force: true })
  }
}
