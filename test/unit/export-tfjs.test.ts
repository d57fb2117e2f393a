/**
 * TF.js export: loads with `tf.loadLayersModel` over HTTP exactly as a web page would, predicts
 * identically, carries the metadata; fails with clear messages where it can't write.
 */
import * as tf from '@tensorflow/tfjs'
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { exportModel } from '#engine/export/index'
import { EngineError } from '#shared/errors'
import {
  predictFlat,
  saveModel,
  tempDir,
  testImages,
  trainedModel,
  useEngineBackend
} from './export-helpers'

let home: string
let modelDir: string
let model: tf.LayersModel
let server: Server
let baseUrl: string

beforeAll(async () => {
  await useEngineBackend()
  home = tempDir()
  process.env.DIGIT_STUDIO_HOME = join(home, 'data')
  modelDir = join(home, 'trained')
  model = await trainedModel('seed', 256)
  await saveModel(model, modelDir, 'seed', true)
  // A static file server on loopback: the way a web page fetches model.json and weights.bin.
  server = createServer((req, res) => {
    try {
      const body = readFileSync(
        join(home, decodeURIComponent(new URL(req.url!, 'http://x').pathname))
      )
      res.writeHead(200)
      res.end(body)
    } catch {
      res.writeHead(404)
      res.end()
    }
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  model?.dispose()
  await new Promise((r) => server?.close(r))
  delete process.env.DIGIT_STUDIO_HOME
})

describe('TF.js layers export', () => {
  it('loads with tf.loadLayersModel from a URL and predicts identically on 100 test images', async () => {
    const result = await exportModel({ format: 'tfjs', out: join(home, 'web'), modelDir })
    expect(result.files.map((f) => f.slice(home.length))).toEqual([
      '/web/model.json',
      '/web/weights.bin'
    ])
    expect(result.bytes).toBeGreaterThan(800_000)
    const loaded = await tf.loadLayersModel(`${baseUrl}/web/model.json`)
    const { x } = await testImages(100)
    const expected = predictFlat(model, x, 100)
    const got = predictFlat(loaded, x, 100)
    expect(Array.from(got)).toEqual(Array.from(expected))
    loaded.dispose()
  })

  it('writes preset, hyperparameters, dataset, test accuracy, app version and dates into model.json', async () => {
    await exportModel({ format: 'tfjs', out: join(home, 'web'), modelDir })
    const json = JSON.parse(readFileSync(join(home, 'web', 'model.json'), 'utf8'))
    const meta = json.userDefinedMetadata.digitStudio
    expect(meta).toMatchObject({
      preset: 'seed',
      hyperparameters: { epochs: 1, batchSize: 64, learningRate: 1e-3, seed: 7, augment: false },
      dataset: { name: 'MNIST' },
      testAccuracy: 0.9,
      appVersion: '0.1.0',
      date: '2026-11-27T12:00:00.000Z',
      exportedBy: 'Digit Studio 0.1.0'
    })
    expect(Date.parse(meta.exportedAt)).toBeGreaterThan(Date.parse('2026-01-01'))
    expect(meta.input).toMatch(/28, 28, 1/)
    // The optimizer state travels too, so an import can keep training where it stopped.
    expect(
      json.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer')
    ).toBe(true)
  })

  it('replaces an earlier export in place and leaves no temp folders', async () => {
    const out = join(home, 'again')
    await exportModel({ format: 'tfjs', out, modelDir })
    await exportModel({ format: 'tfjs', out, modelDir })
    expect(readdirSync(home).filter((n) => n.includes('again'))).toEqual(['again'])
    expect(readdirSync(out).sort()).toEqual(['model.json', 'weights.bin'])
  })

  it('says clearly when the destination cannot be written', async () => {
    const file = join(home, 'a-file')
    writeFileSync(file, 'not a folder')
    // Under a regular file: refused even for root (chmod can't stop root, a file in the path can).
    await expect(
      exportModel({ format: 'onnx', out: join(file, 'm.onnx'), modelDir })
    ).rejects.toThrow(
      /cannot write .*a-file\/m\.onnx: a part of the path is a file, not a folder \(ENOTDIR\)/
    )
    await expect(exportModel({ format: 'tfjs', out: file, modelDir })).rejects.toThrow(
      /a TF.js export is a folder/
    )
    mkdirSync(join(home, 'dir.onnx'))
    await expect(
      exportModel({ format: 'onnx', out: join(home, 'dir.onnx'), modelDir })
    ).rejects.toThrow(/it is a folder; give a file name/)
  })

  it('says permission denied for a read-only folder (non-root only)', async (ctx) => {
    if (process.getuid?.() === 0) {
      console.log(
        'skipped: running as root, where chmod 0555 does not stop writes (the ENOTDIR case above runs instead)'
      )
      ctx.skip()
    }
    const { chmodSync } = await import('node:fs')
    const ro = join(home, 'read-only')
    mkdirSync(ro)
    chmodSync(ro, 0o555)
    await expect(
      exportModel({ format: 'onnx', out: join(ro, 'm.onnx'), modelDir })
    ).rejects.toThrow(/permission denied/)
  })

  it('with no model anywhere (and no starter model), says to train one first', async () => {
    process.env.DIGIT_STUDIO_STARTER_MODEL = ''
    const err = await exportModel({ format: 'onnx', out: join(home, 'x.onnx') }).catch(
      (e: unknown) => e
    )
    expect(err).toBeInstanceOf(EngineError)
    expect((err as EngineError).code).toBe('NO_MODEL')
    expect((err as EngineError).message).toMatch(/train one first/)
    delete process.env.DIGIT_STUDIO_STARTER_MODEL
  })
})
