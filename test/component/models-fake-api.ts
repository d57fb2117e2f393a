// The scripted api of the Runs & Export view's tests: runs, a current model, export and import.
import { vi } from 'vitest'
import type { IpcEvent } from '#shared/ipc-contract'
import type { CurrentModelInfo, RunDetail, RunSummary } from '#shared/protocol/models'

export const row = (id: string, over: Partial<RunSummary> = {}): RunSummary => ({
  id,
  date: `2026-11-27T${id.slice(9, 11)}:${id.slice(11, 13)}:00Z`,
  preset: 'seed',
  architecture: null,
  dataset: 'MNIST',
  status: 'done',
  epochsDone: 3,
  epochsPlanned: 3,
  testAccuracy: 0.9912,
  totalSeconds: 125,
  backend: 'wasm',
  throughput: null,
  hasModel: true,
  ...over
})
const detail = (id: string): RunDetail => ({
  ...row(id),
  dir: `/data/runs/${id}`,
  config: { epochs: 3 },
  epochs: [1, 2, 3].map((epoch) => ({
    epoch,
    loss: 1 / epoch,
    accuracy: 0.9 + epoch / 100,
    valLoss: null,
    valAccuracy: null,
    seconds: 40
  }))
})
export const CURRENT: CurrentModelInfo = {
  source: 'trained',
  modelDir: '/data/models/last',
  name: 'seed',
  layers: [],
  totalParams: 225034,
  hasOptimizer: false,
  metadata: null,
  measured: null
}

/** A scripted api: two runs (one stopped early), a current model, dialogs that answer. */
export function fakeApi() {
  let runs = [
    row('20261127-101500-aa11'),
    row('20261127-093000-bb22', {
      preset: 'fast',
      testAccuracy: null,
      status: 'incomplete',
      backend: null,
      totalSeconds: null,
      epochsDone: 1
    })
  ]
  const listeners = new Set<(e: IpcEvent) => void>()
  const api = {
    runs: {
      list: vi.fn(async () => ({ runs, dir: '/data/runs' })),
      get: vi.fn(async ({ id }: { id: string }) => detail(id)),
      delete: vi.fn(async ({ id }: { id: string }) => {
        runs = runs.filter((r) => r.id !== id)
        return { deleted: true }
      })
    },
    model: {
      current: vi.fn(async () => CURRENT),
      export: vi.fn(async (p: { format: string; out: string }) => ({
        format: p.format,
        path: p.out,
        files: [p.out],
        bytes: 902_217,
        metadata: {}
      })),
      import: vi.fn(async ({ path }: { path: string }) => ({
        ...CURRENT,
        source: 'imported',
        modelDir: path,
        hasOptimizer: true
      }))
    },
    dialog: {
      saveFile: vi.fn(async () => ({ path: '/home/me/digits.onnx' as string | null })),
      openFolder: vi.fn(async () => ({ path: '/home/me/web-model' as string | null }))
    },
    on: (type: string, cb: (e: IpcEvent) => void) => {
      const f = (e: IpcEvent): void => {
        if (e.type === type) cb(e)
      }
      listeners.add(f)
      return () => listeners.delete(f)
    }
  }
  return { api, emit: (e: IpcEvent) => listeners.forEach((l) => l(e)), listeners }
}
