/**
 * Keras HDF5 export read back by independent HDF5 readers: jsfive (pure JS, always), and h5py,
 * the library Keras itself loads .h5 files with, where the machine has it. Checks the Keras 2 layout
 * (model_config, keras_version, backend, model_weights/<layer>/<layer>/<weight>:0 with weight_names)
 * and that every weight's shape and values are the model's.
 */
import type * as tf from '@tensorflow/tfjs'
import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as jsfive from 'jsfive'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportModel } from '#engine/export/index'
import { KERAS_VERSION } from '#engine/export/keras'
import { saveModel, tempDir, trainedModel, useEngineBackend } from './export-helpers'

let home: string
const models: Record<string, tf.LayersModel> = {}
const files: Record<string, string> = {}

beforeAll(async () => {
  await useEngineBackend()
  home = tempDir()
  for (const preset of ['seed', 'accurate'] as const) {
    models[preset] = await trainedModel(preset, 128)
    const dir = join(home, preset)
    await saveModel(models[preset], dir, preset)
    files[preset] = join(home, `${preset}.h5`)
    await exportModel({ format: 'keras', out: files[preset], modelDir: dir })
  }
})
afterAll(() => Object.values(models).forEach((m) => m.dispose()))

function open(path: string): jsfive.File {
  const buf = readFileSync(path)
  return new jsfive.File(
    buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer,
    path
  )
}

describe('Keras HDF5 export', () => {
  for (const preset of ['seed', 'accurate'] as const) {
    it(`${preset}: has the Keras layout, layer names, weight shapes and values (jsfive)`, () => {
      const model = models[preset]
      const f = open(files[preset])
      expect(f.attrs.keras_version).toBe(KERAS_VERSION)
      expect(f.attrs.backend).toBe('tensorflow')
      const config = JSON.parse(f.attrs.model_config as string)
      expect(config.class_name).toBe('Sequential')
      const configLayers = config.config.layers as {
        class_name: string
        config: { name: string }
      }[]
      // An explicit InputLayer first, as Keras 2 writes it and Keras 3 needs it (issue 14): the
      // first real layer no longer carries batch_input_shape.
      expect(configLayers[0]).toEqual({
        class_name: 'InputLayer',
        config: {
          batch_input_shape: [null, 28, 28, 1],
          dtype: 'float32',
          sparse: false,
          name: 'input_layer'
        }
      })
      expect(JSON.stringify(configLayers.slice(1))).not.toMatch(/batch_input_shape/)
      const rest = configLayers.slice(1)
      expect(rest.map((l) => l.config.name)).toEqual(model.layers.map((l) => l.name))
      expect(rest.map((l) => l.class_name)).toEqual(model.layers.map((l) => l.getClassName()))
      const meta = JSON.parse(f.attrs.digit_studio_metadata as string)
      expect(meta).toMatchObject({ preset, testAccuracy: 0.9, appVersion: '0.1.0' })

      const weightsGroup = f.get('model_weights') as jsfive.Group
      expect(weightsGroup.attrs.layer_names).toEqual(model.layers.map((l) => l.name))
      let checked = 0
      for (const layer of model.layers) {
        const group = f.get(`model_weights/${layer.name}`) as jsfive.Group
        const names = Array.from(group.attrs.weight_names as ArrayLike<string>)
        expect(names).toEqual(
          layer.weights.map((w) => `${layer.name}/${w.originalName.split('/').pop()}:0`)
        )
        layer.getWeights().forEach((value, i) => {
          const ds = f.get(`model_weights/${layer.name}/${names[i]}`) as jsfive.Dataset
          expect(ds.shape).toEqual(value.shape)
          expect(ds.dtype).toBe('<f4')
          expect(Float32Array.from(ds.value as number[])).toEqual(value.dataSync())
          checked++
        })
      }
      expect(checked).toBe(model.weights.length)
    })
  }

  it('reads back with h5py the way Keras loads weights (where h5py is installed)', (ctx) => {
    const python = ['/usr/bin/python3', 'python3'].find(
      (p) => spawnSync(p, ['-c', 'import h5py'], { stdio: 'ignore' }).status === 0
    )
    if (!python) {
      console.log(
        'skipped: no Python with h5py here (Debian: apt-get install python3-h5py); jsfive checks above still ran'
      )
      ctx.skip()
    }
    // Keras 2's legacy loader (hdf5_format.load_weights_from_hdf5_group) in miniature.
    const script = `
import h5py, json, sys
f = h5py.File(sys.argv[1], 'r')
dec = lambda x: x.decode('utf8') if hasattr(x, 'decode') else str(x)
cfg = json.loads(dec(f.attrs['model_config']))
g = f['model_weights']
out = {'keras_version': dec(f.attrs['keras_version']), 'class_name': cfg['class_name'], 'layers': []}
for name in [dec(n) for n in g.attrs['layer_names']]:
    names = [dec(n) for n in g[name].attrs['weight_names']]
    out['layers'].append({'name': name, 'weights': [[n, list(g[name][n].shape), float(g[name][n][()].sum())] for n in names]})
print(json.dumps(out))
`
    const got = JSON.parse(
      execFileSync(python!, ['-c', script, files.accurate], { encoding: 'utf8' })
    )
    const model = models.accurate
    expect(got.keras_version).toBe(KERAS_VERSION)
    expect(got.class_name).toBe('Sequential')
    expect(got.layers.map((l: { name: string }) => l.name)).toEqual(model.layers.map((l) => l.name))
    got.layers.forEach((l: { weights: [string, number[], number][] }, i: number) => {
      const values = model.layers[i].getWeights()
      expect(l.weights.length).toBe(values.length)
      l.weights.forEach(([, shape, sum], k) => {
        expect(shape).toEqual(values[k].shape)
        const expected = Array.from(values[k].dataSync()).reduce((a, b) => a + b, 0)
        expect(Math.abs(sum - expected)).toBeLessThan(1e-3 * Math.max(1, Math.abs(expected)))
      })
    })
  })
})
