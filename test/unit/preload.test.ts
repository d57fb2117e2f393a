/**
 * RELIABILITY S6: the preload exposes exactly the contract's api (named functions only) and
 * never ipcRenderer or an IPC event object. Electron's preload modules are replaced by recorders
 * (there is no Electron runtime here); the object handed to exposeInMainWorld is inspected.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest'
import {
  EVENT_CHANNEL,
  GRANT_DROPPED_CHANNEL,
  INVOKE_CHANNELS,
  type RendererApi
} from '#shared/ipc-contract'

const exposed: Record<string, unknown> = {}
const invoked: [string, unknown][] = []
const ipcListeners = new Map<string, Set<(event: unknown, data: unknown) => void>>()
const fakeIpcRenderer = {
  invoke: async (channel: string, params: unknown) => {
    invoked.push([channel, params])
    if (channel === GRANT_DROPPED_CHANNEL) return { ok: true, result: params }
    if (channel === 'training:stop') {
      return { ok: false, error: { name: 'EngineError', code: 'BUSY', message: 'not now' } }
    }
    return { ok: true, result: { channel } }
  },
  on: (channel: string, listener: (event: unknown, data: unknown) => void) => {
    if (!ipcListeners.has(channel)) ipcListeners.set(channel, new Set())
    ipcListeners.get(channel)!.add(listener)
  },
  off: (channel: string, listener: (event: unknown, data: unknown) => void) => {
    ipcListeners.get(channel)?.delete(listener)
  }
}

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, value: unknown) => {
      exposed[key] = value
    }
  },
  ipcRenderer: fakeIpcRenderer,
  // Electron gives '' for a File that is not on disk (one the page made from bytes).
  webUtils: {
    getPathForFile: (file: { name: string }) => (file.name === 'made' ? '' : `/abs/${file.name}`)
  }
}))

function emitFromMain(data: unknown): void {
  const sender = { sender: 'the IpcRendererEvent with ports and sender' }
  for (const listener of ipcListeners.get(EVENT_CHANNEL) ?? []) listener(sender, data)
}

/** Every value reachable from `value` (own properties, depth-first). */
function* walk(value: unknown, seen = new Set<unknown>()): Generator<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return
  if (seen.has(value)) return
  seen.add(value)
  yield value
  for (const key of Reflect.ownKeys(value as object)) {
    yield* walk((value as Record<PropertyKey, unknown>)[key], seen)
  }
}

describe('preload surface (S6)', () => {
  let api: RendererApi

  beforeAll(async () => {
    await import('../../src/preload/index')
    api = exposed.api as RendererApi
  })

  it('exposes one key, "api"', () => {
    expect(Object.keys(exposed)).toEqual(['api'])
  })

  it('has exactly the contract areas and verbs, all functions', () => {
    const expected: Record<string, string[]> = {}
    for (const channel of INVOKE_CHANNELS) {
      const [area, verb] = channel.split(':')
      ;(expected[area] ??= []).push(verb)
    }
    const areas = Object.keys(api).filter((k) => k !== 'on' && k !== 'pathForFile')
    expect(areas.sort()).toEqual(Object.keys(expected).sort())
    for (const area of areas) {
      const group = (api as unknown as Record<string, Record<string, unknown>>)[area]
      expect(Object.keys(group).sort(), area).toEqual(expected[area].sort())
      for (const verb of Object.keys(group))
        expect(typeof group[verb], `${area}.${verb}`).toBe('function')
    }
    expect(typeof api.on).toBe('function')
    expect(typeof api.pathForFile).toBe('function')
  })

  it('never exposes ipcRenderer or any of its methods', () => {
    for (const value of walk(api)) {
      expect(value).not.toBe(fakeIpcRenderer)
      expect(value).not.toBe(fakeIpcRenderer.invoke)
      expect(value).not.toBe(fakeIpcRenderer.on)
      expect(value).not.toBe(fakeIpcRenderer.off)
    }
  })

  it('invokes the channel named by area and verb, with {} for no params', async () => {
    invoked.length = 0
    await expect(api.engine.info()).resolves.toEqual({ channel: 'engine:info' })
    await api.app.progress({ fraction: 0.5 })
    expect(invoked).toEqual([
      ['engine:info', {}],
      ['app:progress', { fraction: 0.5 }]
    ])
  })

  it('rethrows an error reply as a real Error with name and code', async () => {
    const err = await api.training.stop().catch((e: unknown) => e)
    expect(err).toBeInstanceOf(Error)
    expect(err).toMatchObject({ name: 'EngineError', code: 'BUSY', message: 'BUSY: not now' })
  })

  it('delivers event data only, filtered by type, and unsubscribes', () => {
    const got: unknown[][] = []
    const off = api.on('engine:state', (...args: unknown[]) => got.push(args))
    emitFromMain({ type: 'engine:state', state: 'crashed', reason: 'engine killed by SIGKILL' })
    emitFromMain({ type: 'engine:log', level: 'info', message: 'not for this listener' })
    expect(got).toEqual([
      [{ type: 'engine:state', state: 'crashed', reason: 'engine killed by SIGKILL' }]
    ])
    off()
    expect(ipcListeners.get(EVENT_CHANNEL)?.size ?? 0).toBe(0)
    emitFromMain({ type: 'engine:state', state: 'ready' })
    expect(got).toHaveLength(1)
  })

  it('gets file paths through webUtils and has main grant them (RELIABILITY R3)', async () => {
    invoked.length = 0
    await expect(api.pathForFile({ name: 'seven.png' } as File)).resolves.toBe('/abs/seven.png')
    expect(invoked).toEqual([[GRANT_DROPPED_CHANNEL, { path: '/abs/seven.png' }]])
    // A File with no path on disk grants nothing.
    invoked.length = 0
    await expect(api.pathForFile({ name: 'made' } as File)).resolves.toBe('')
    expect(invoked).toEqual([])
  })
})
