/**
 * RELIABILITY S5: every IPC handler checks the sender frame and the payload before acting, and
 * replies with data so errors keep their name and code. The last block runs the engine channels
 * against a real engine process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { APP_ORIGIN } from '../../src/main/app-protocol'
import { forkEngine } from '#host/engine-fork'
import { EngineHost } from '#host/engine-host'
import { appHandlers, type AppServices } from '../../src/main/ipc/app'
import { dialogHandlers } from '../../src/main/ipc/dialog'
import { engineHandlers } from '../../src/main/ipc/engine'
import { guarded, senderProblem, type SenderInfo } from '../../src/main/ipc/guard'
import { eventSender, registerIpc, type IpcMainLike } from '../../src/main/ipc/register'
import { EngineError } from '#shared/errors'
import { EVENT_CHANNEL, GRANT_DROPPED_CHANNEL, INVOKE_CHANNELS } from '#shared/ipc-contract'
import { PathGrants } from '../../src/main/ipc/path-grants'
import { engineBackendEnv, expectedBackendKind } from '../helpers/engine'

const ORIGINS = [APP_ORIGIN]
// Grants kept in memory only: these tests are about sender and payload checks (paths: ipc-paths).
const grants = new PathGrants('/nonexistent-data-home', false)
const fromApp: SenderInfo = { senderFrame: { url: 'app://digit-studio/index.html', parent: null } }

/** App services that record what they were asked to do. */
function recordingServices(): AppServices & { done: string[] } {
  const done: string[] = []
  return {
    done,
    versions: () => ({ app: '1', electron: '45.5.0', chrome: '142', node: '22' }),
    setProgress: (fraction) => void done.push(`progress ${fraction}`),
    notify: (title, body) => void done.push(`notify ${title}: ${body}`)
  }
}

describe('senderProblem', () => {
  it('accepts only the main frame of the app', () => {
    expect(senderProblem(fromApp, ORIGINS)).toBeNull()
    expect(senderProblem({ senderFrame: null }, ORIGINS)).toMatch(/gone/)
    expect(
      senderProblem({ senderFrame: { url: 'app://digit-studio/x', parent: {} } }, ORIGINS)
    ).toMatch(/sub-frame/)
    expect(
      senderProblem({ senderFrame: { url: 'https://evil.com/', parent: null } }, ORIGINS)
    ).toMatch(/not the app/)
    expect(
      senderProblem({ senderFrame: { url: 'file:///x/index.html', parent: null } }, ORIGINS)
    ).toMatch(/no origin/)
  })
})

describe('guarded handlers (S5)', () => {
  const refusals: [string, SenderInfo, unknown][] = [
    [
      'wrong origin',
      { senderFrame: { url: 'https://evil.example/', parent: null } },
      { fraction: 0.5 }
    ],
    [
      'look-alike origin',
      { senderFrame: { url: 'app://digit-studio.evil/', parent: null } },
      { fraction: 0.5 }
    ],
    [
      'sub-frame',
      { senderFrame: { url: 'app://digit-studio/index.html', parent: { url: 'x' } } },
      { fraction: 0.5 }
    ],
    ['destroyed frame', { senderFrame: null }, { fraction: 0.5 }],
    ['bad payload: out of range', fromApp, { fraction: 5 }],
    ['bad payload: wrong type', fromApp, { fraction: '0.5' }],
    ['bad payload: missing field', fromApp, {}],
    ['bad payload: not an object', fromApp, 'fraction=0.5']
  ]

  it.each(refusals)('refuses %s and does nothing', async (_name, sender, payload) => {
    const services = recordingServices()
    const handle = guarded('app:progress', ORIGINS, appHandlers(services)['app:progress'])
    const reply = await handle(sender, payload)
    expect(reply.ok).toBe(false)
    if (!reply.ok) expect(reply.error.code).toBe('BAD_REQUEST')
    expect(services.done).toEqual([])
  })

  it('acts on a valid call from the app', async () => {
    const services = recordingServices()
    const handle = guarded('app:progress', ORIGINS, appHandlers(services)['app:progress'])
    expect(await handle(fromApp, { fraction: 0.25 })).toEqual({ ok: true, result: undefined })
    expect(services.done).toEqual(['progress 0.25'])
  })

  it('caps notification text (schema limits)', async () => {
    const services = recordingServices()
    const handle = guarded('app:notify', ORIGINS, appHandlers(services)['app:notify'])
    const reply = await handle(fromApp, { title: 'x'.repeat(201), body: '' })
    expect(reply.ok).toBe(false)
    expect(services.done).toEqual([])
  })

  it('turns a thrown error into data that keeps name and code', async () => {
    const handle = guarded('engine:restart', ORIGINS, () => {
      throw new EngineError('ENGINE_CRASHED', 'boom')
    })
    expect(await handle(fromApp, {})).toEqual({
      ok: false,
      error: { name: 'EngineError', code: 'ENGINE_CRASHED', message: 'boom' }
    })
  })

  it('passes dialog choices through as data', async () => {
    const handlers = dialogHandlers(
      {
        openFolder: async (title) => `/picked/${title}`,
        openFiles: async () => ['/a.png', '/b.png'],
        saveFile: async (name) => `/out/${name}`
      },
      grants
    )
    expect(
      await guarded(
        'dialog:openFolder',
        ORIGINS,
        handlers['dialog:openFolder']
      )(fromApp, { title: 'data' })
    ).toEqual({
      ok: true,
      result: { path: '/picked/data' }
    })
    expect(
      await guarded(
        'dialog:saveFile',
        ORIGINS,
        handlers['dialog:saveFile']
      )(fromApp, { defaultName: 'm.onnx' })
    ).toEqual({
      ok: true,
      result: { path: '/out/m.onnx' }
    })
    // defaultName is required: the renderer must say what it is saving.
    expect(
      (await guarded('dialog:saveFile', ORIGINS, handlers['dialog:saveFile'])(fromApp, {})).ok
    ).toBe(false)
  })
})

describe('registerIpc', () => {
  const acted: string[] = []
  const allHandlers = (): Record<string, (p: unknown) => unknown> => {
    const table = {
      ...engineHandlers({ request: async () => null, restart: async () => undefined }),
      ...appHandlers(recordingServices()),
      ...dialogHandlers(
        {
          openFolder: async () => null,
          openFiles: async () => [],
          saveFile: async () => null
        },
        grants
      )
    }
    // Every handler notes that it ran, so a refused call can be shown to have done nothing.
    return Object.fromEntries(
      Object.entries(table).map(([channel, fn]) => [
        channel,
        (p: unknown) => {
          acted.push(channel)
          return fn(p)
        }
      ])
    )
  }

  it('registers exactly the contract channels, each behind the guard', async () => {
    const registered = new Map<string, (event: SenderInfo, params: unknown) => unknown>()
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => void registered.set(channel, listener),
      removeHandler: (channel) => void registered.delete(channel)
    }
    const dispose = registerIpc(ipcMain, allHandlers(), ORIGINS, grants)
    expect([...registered.keys()].sort()).toEqual(
      [...INVOKE_CHANNELS, GRANT_DROPPED_CHANNEL].sort()
    )
    const evil = { senderFrame: { url: 'https://evil.example/', parent: null } }
    for (const [channel, listener] of registered) {
      const reply = (await listener(evil, {})) as { ok: boolean }
      expect(reply.ok, channel).toBe(false)
    }
    expect(acted).toEqual([])
    // The same channels from the app's main frame do reach their handlers.
    await registered.get('app:versions')!(fromApp, {})
    expect(acted).toEqual(['app:versions'])
    dispose()
    expect(registered.size).toBe(0)
  })

  it('refuses to start with a channel missing or one outside the contract', () => {
    const ipcMain: IpcMainLike = { handle: () => undefined, removeHandler: () => undefined }
    const handlers = allHandlers()
    delete handlers['app:versions']
    expect(() => registerIpc(ipcMain, handlers, ORIGINS, grants)).toThrow(/app:versions/)
    expect(() =>
      registerIpc(ipcMain, { ...allHandlers(), 'fs:readAnything': () => 1 }, ORIGINS, grants)
    ).toThrow(/fs:readAnything/)
  })

  it('sends every event on the one event channel', () => {
    const sent: [string, unknown][] = []
    const send = eventSender((channel, payload) => sent.push([channel, payload]))
    send({ type: 'engine:state', state: 'ready' })
    expect(sent).toEqual([[EVENT_CHANNEL, { type: 'engine:state', state: 'ready' }]])
  })
})

describe('engine channels against the real engine', () => {
  const host = new EngineHost({ spawn: () => forkEngine({ env: engineBackendEnv() }) })
  const forwarded: string[] = []
  const handlers = engineHandlers({
    request: (method, params) => {
      forwarded.push(method)
      return host.request(method, params as never)
    },
    restart: () => host.restart()
  })

  beforeAll(() => host.start())
  afterAll(() => host.stop())

  it('forwards engine:info and returns the engine’s answer', async () => {
    const reply = await guarded('engine:info', ORIGINS, handlers['engine:info'])(fromApp, {})
    expect(reply.ok).toBe(true)
    if (reply.ok) {
      const info = reply.result as { backend: string; dataset: { train: number; test: number } }
      expect(info.backend).toBe(expectedBackendKind())
      expect(info.dataset.train).toBe(60_000)
      expect(info.dataset.test).toBe(10_000)
    }
  })

  it('refuses a bad training config in main, before it reaches the engine', async () => {
    const reply = await guarded(
      'training:start',
      ORIGINS,
      handlers['training:start']
    )(fromApp, {
      preset: 'seed',
      epochs: 0
    })
    expect(reply.ok).toBe(false)
    if (!reply.ok) expect(reply.error.message).toMatch(/^training:start: /)
    expect(forwarded).not.toContain('training:start')
  })
})
