import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { engineBackendEnv } from '../helpers/engine'

// `digit-studio model` and `train --model-spec` (issue 14) as a user runs them: the real bin, the
// real engine on the test backend, a throwaway data home.

let home: string
let env: NodeJS.ProcessEnv

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-model-cli-'))
  env = { ...engineBackendEnv(), DIGIT_STUDIO_HOME: home }
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

const tiny = {
  class_name: 'Sequential',
  config: {
    name: 'tiny',
    layers: [
      {
        class_name: 'Conv2D',
        config: { filters: 4, kernel_size: 5, strides: 2, padding: 'same', activation: 'gelu' }
      },
      { class_name: 'MaxPooling2D', config: { pool_size: [2, 2] } },
      { class_name: 'GlobalAveragePooling2D', config: {} }
    ]
  }
}

describe('digit-studio model', () => {
  it('prints a preset as Keras JSON with an explicit InputLayer', async () => {
    const r = await runCli(['model', '--preset', 'fast', '--json'], env)
    expect(r.code, r.stderr).toBe(0)
    const json = JSON.parse(r.stdout)
    expect(json.class_name).toBe('Sequential')
    expect(json.config.layers[0]).toMatchObject({
      class_name: 'InputLayer',
      config: { batch_input_shape: [null, 28, 28, 1] }
    })
    expect(json.config.layers.map((l: { class_name: string }) => l.class_name).slice(1)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'Flatten',
      'Dense'
    ])
  })

  it('summarises a file, adding the classifier, and saves, lists and deletes it by name', async () => {
    const file = join(home, 'tiny.json')
    await writeFile(file, JSON.stringify(tiny))
    const r = await runCli(['model', '--model-spec', file, '--save', 'tiny-gelu'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^1\s+Conv2D\s+4 5×5 s2 same gelu\s+14×14×4\s+104/m)
    expect(r.stdout).toMatch(/^4\s+Dense\s+10 softmax\s+10\s+50/m)
    expect(r.stdout).toMatch(
      /154 parameters .* MFLOPs per image, training memory ~\d+ MB at batch 128/
    )
    const saved = JSON.parse(await readFile(join(home, 'architectures', 'tiny-gelu.json'), 'utf8'))
    expect(saved.config.layers).toHaveLength(5)
    const list = await runCli(['model', '--list'], env)
    expect(list.stdout).toMatch(/^\s+seed\s+preset\s+225,034 params/m)
    expect(list.stdout).toMatch(/^\s+tiny-gelu\s+saved\s+154 params/m)
    const byName = await runCli(['model', '--model-spec', 'tiny-gelu', '--json'], env)
    expect(JSON.parse(byName.stdout).config.layers).toHaveLength(5)
    expect((await runCli(['model', '--delete', 'tiny-gelu'], env)).code).toBe(0)
    const gone = await runCli(['model', '--model-spec', 'tiny-gelu'], env)
    expect(gone.code).toBe(2)
    expect(gone.stderr).toMatch(/no architecture named "tiny-gelu"/)
  })

  it('refuses an impossible stack at the layer that breaks it, and a bad field by name', async () => {
    const pool = (p: number): object => ({ class_name: 'MaxPooling2D', config: { pool_size: p } })
    const file = join(home, 'bad.json')
    await writeFile(
      file,
      JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [pool(3), pool(3), pool(2), pool(3)] }
      })
    )
    const r = await runCli(['model', '--model-spec', file], env)
    expect(r.code).toBe(2)
    expect(r.stdout).toMatch(
      /^4\s+MaxPooling2D .*<- the 3×3 pool after the 2×2 pool leaves nothing to pool/m
    )
    expect(r.stderr).toMatch(
      /MODEL_INVALID: layer 4 \(MaxPooling2D\): the 3×3 pool after the 2×2 pool/
    )
    await writeFile(
      file,
      JSON.stringify({
        class_name: 'Sequential',
        config: { layers: [{ class_name: 'Dense', config: { units: 5000 } }] }
      })
    )
    const field = await runCli(['model', '--model-spec', file], env)
    expect(field.code).toBe(2)
    expect(field.stderr).toContain(`${file}: layers[0] (Dense): units: Must be at most 4096.`)
  })
})

describe('digit-studio train --model-spec', () => {
  /** The run folder of the training below, for the model it saved. */
  let runDir = ''

  it('trains the architecture and records it in the run', async () => {
    const file = join(home, 'train.json')
    await writeFile(file, JSON.stringify(tiny))
    const r = await runCli(
      [
        'train',
        '--model-spec',
        file,
        '--epochs',
        '1',
        '--train-limit',
        '256',
        '--test-limit',
        '100',
        '--json'
      ],
      env
    )
    expect(r.code, r.stderr).toBe(0)
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const started = lines.find((l) => l.type === 'training:started')
    expect(started.summary.totalParams).toBe(154)
    const done = lines.at(-1)
    runDir = done.runDir
    const config = JSON.parse(await readFile(join(done.runDir, 'config.json'), 'utf8'))
    expect(config.architecture.name).toBe('tiny')
    expect(config.architecture.layers.map((l: { type: string }) => l.type)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'GlobalAveragePooling2D',
      'Dense'
    ])
  })

  it('names the architecture, not the form’s preset, in the model, export and info', async () => {
    expect(runDir, 'the training above failed').not.toBe('')
    const model = JSON.parse(await readFile(join(runDir, 'model', 'model.json'), 'utf8'))
    expect(model.userDefinedMetadata.digitStudio).toMatchObject({
      architecture: 'tiny',
      preset: 'seed'
    })
    // With neither --model nor --run: the current model, i.e. the run just trained.
    const out = join(home, 'tiny.onnx')
    const exported = await runCli(['export', '--format', 'onnx', '--out', out], env)
    expect(exported.code, exported.stderr).toBe(0)
    expect(exported.stdout).toMatch(
      /^Exported ONNX model to .*\(.*; architecture tiny, test accuracy/
    )
    expect(exported.stdout).not.toMatch(/preset seed/)
    const info = await runCli(['info'], env)
    expect(info.code, info.stderr).toBe(0)
    expect(info.stdout).toMatch(/^Model: {4}your last trained model \(architecture tiny\), /m)
  })
})
