/**
 * RELIABILITY R3: every path the renderer sends is one the user granted (dialog or drop), or is
 * inside the data home; absolute, normalised, symlinks judged by where they point. A refused call
 * never reaches the engine. Grants survive a restart (they are kept in the data home).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { APP_ORIGIN } from '../../src/main/app-protocol'
import { dialogHandlers } from '../../src/main/ipc/dialog'
import { engineHandlers } from '../../src/main/ipc/engine'
import { guarded, type SenderInfo } from '../../src/main/ipc/guard'
import { PATH_CHANNELS, pathCheck } from '../../src/main/ipc/path-guard'
import { PathGrants } from '../../src/main/ipc/path-grants'
import { registerIpc, type IpcMainLike } from '../../src/main/ipc/register'
import { appHandlers } from '../../src/main/ipc/app'
import { GRANT_DROPPED_CHANNEL, type IpcChannel } from '#shared/ipc-contract'
import { tempDir } from './export-helpers'

const root = tempDir('ds-paths-')
const home = join(root, 'home')
const outside = join(root, 'elsewhere')
mkdirSync(join(home, 'runs'), { recursive: true })
mkdirSync(outside, { recursive: true })
afterAll(() => rm(root, { recursive: true, force: true }))

const fromApp: SenderInfo = { senderFrame: { url: 'app://digit-studio/index.html', parent: null } }

/** Guarded engine channels whose engine records every request it gets. */
function setup(grants: PathGrants): {
  call: (channel: IpcChannel, params: unknown) => Promise<{ ok: boolean; code?: string }>
  reached: string[]
} {
  const reached: string[] = []
  const table = engineHandlers({
    request: async (method) => void reached.push(method),
    restart: async () => undefined
  })
  const check = pathCheck(grants)
  return {
    reached,
    call: async (channel, params) => {
      const reply = await guarded(channel, [APP_ORIGIN], table[channel], check)(fromApp, params)
      return reply.ok ? { ok: true } : { ok: false, code: reply.error.code }
    }
  }
}

const CONFIG = {
  preset: 'fast',
  epochs: 1,
  batchSize: 32,
  learningRate: 1e-3,
  validationSplit: 0,
  seed: 1,
  augment: false,
  dataset: { kind: 'embedded' }
}

/** One call per path field of every path channel, with `p` in that field. */
function callsWith(p: string): [string, IpcChannel, unknown][] {
  return [
    ['model:export out', 'model:export', { format: 'onnx', out: p }],
    [
      'model:export modelDir',
      'model:export',
      { format: 'onnx', out: join(home, 'x.onnx'), modelDir: p }
    ],
    ['model:import path', 'model:import', { path: p }],
    [
      'training:start dataset',
      'training:start',
      { ...CONFIG, dataset: { kind: 'folder', path: p } }
    ],
    ['training:start outDir', 'training:start', { ...CONFIG, outDir: p }],
    ['training:start resumeFrom', 'training:start', { ...CONFIG, resumeFrom: p }],
    ['training:start fromModel', 'training:start', { ...CONFIG, fromModel: p }],
    ['training:start addImages', 'training:start', { ...CONFIG, addImages: p }],
    ['digits:export out', 'digits:export', { out: p }],
    [
      'classify:images modelDir',
      'classify:images',
      { files: [{ name: 'a.png', bytes: new Uint8Array(1) }], options: { modelDir: p } }
    ],
    ['dataset:describe', 'dataset:describe', { source: { kind: 'folder', path: p } }],
    ['study:start studyDir', 'study:start', { strategy: 'grid', studyDir: p }],
    ['study:get dir', 'study:get', { dir: p }]
  ]
}

describe('paths from the renderer (RELIABILITY R3)', () => {
  it('every path channel is covered by the table below', () => {
    expect(new Set(callsWith('/x').map(([, c]) => c))).toEqual(new Set(PATH_CHANNELS))
  })

  const refused: [string, string][] = [
    ['ungranted absolute path', join(outside, 'secret')],
    ['system folder', '/etc'],
    ['relative path', 'models/last'],
    ['traversal out of the data home', `${home}/runs/../../elsewhere`],
    ['not normalised', `${home}//runs`],
    ['NUL byte', `${home}/runs\0/etc/passwd`]
  ]
  for (const [what, p] of refused) {
    it.each(callsWith(p))(
      `refuses an ${what} in %s; the engine never sees it`,
      async (_n, channel, params) => {
        const { call, reached } = setup(new PathGrants(home, false))
        const reply = await call(channel, params)
        expect(reply).toEqual({ ok: false, code: 'PATH_NOT_ALLOWED' })
        expect(reached).toEqual([])
      }
    )
  }

  it.each(callsWith(join(home, 'runs', '20261203-101500-ab12', 'model')))(
    'accepts a path inside the data home in %s',
    async (_n, channel, params) => {
      const { call, reached } = setup(new PathGrants(home, false))
      expect(await call(channel, params)).toEqual({ ok: true })
      expect(reached).toEqual([channel])
    }
  )

  it('accepts what the user picked in a dialog: a folder and what is inside it, a saved file exactly', async () => {
    const grants = new PathGrants(home, false)
    const data = join(outside, 'my-mnist')
    mkdirSync(data, { recursive: true })
    const dialogs = dialogHandlers(
      {
        openFolder: async () => data,
        openFiles: async () => [],
        saveFile: async () => join(outside, 'digits.onnx')
      },
      grants
    )
    const { call } = setup(grants)
    const describe = { source: { kind: 'folder', path: data } }
    expect(await call('dataset:describe', describe)).toMatchObject({ ok: false })
    await dialogs['dialog:openFolder']({})
    expect(await call('dataset:describe', describe)).toEqual({ ok: true })
    expect(await call('model:import', { path: join(data, 'sub') })).toEqual({ ok: true })
    const save = { format: 'onnx', out: join(outside, 'digits.onnx') }
    expect(await call('model:export', save)).toMatchObject({ ok: false })
    await dialogs['dialog:saveFile']({ defaultName: 'digits.onnx' })
    expect(await call('model:export', save)).toEqual({ ok: true })
    // A file grant is that file only, not its neighbours.
    expect(
      await call('model:export', { format: 'onnx', out: join(outside, 'other.onnx') })
    ).toMatchObject({
      ok: false
    })
  })

  it('judges a symlink by where it points: a link in the data home to /etc is refused', async () => {
    const link = join(home, 'sneaky')
    symlinkSync('/etc', link)
    const { call, reached } = setup(new PathGrants(home, false))
    expect(await call('model:import', { path: join(link, 'passwd') })).toEqual({
      ok: false,
      code: 'PATH_NOT_ALLOWED'
    })
    expect(reached).toEqual([])
  })

  it('grants survive a restart: they are recorded in the data home', async () => {
    const first = await PathGrants.load(home)
    const data = join(outside, 'kept')
    mkdirSync(data, { recursive: true })
    await first.grant(data, 'folder')
    const again = await PathGrants.load(home)
    expect(await again.problem(join(data, 'train-images-idx3-ubyte'))).toBeNull()
    expect(await new PathGrants(home, false).problem(data)).not.toBeNull()
  })

  it('grants a dropped path only through the dedicated channel, from the app, when it exists', async () => {
    const grants = new PathGrants(home, false)
    const registered = new Map<string, (e: SenderInfo, p: unknown) => Promise<unknown>>()
    const ipcMain: IpcMainLike = {
      handle: (c, l) => void registered.set(c, l as never),
      removeHandler: () => undefined
    }
    const noop = async (): Promise<null> => null
    registerIpc(
      ipcMain,
      {
        ...engineHandlers({ request: noop, restart: async () => undefined }),
        ...appHandlers({
          versions: () => ({ app: '', electron: '', chrome: '', node: '' }),
          setProgress: () => undefined,
          notify: () => undefined
        }),
        ...dialogHandlers({ openFolder: noop, openFiles: async () => [], saveFile: noop }, grants)
      },
      [APP_ORIGIN],
      grants
    )
    const drop = registered.get(GRANT_DROPPED_CHANNEL)!
    const dropped = join(outside, 'seven.png')
    writeFileSync(dropped, 'png')
    const evil = { senderFrame: { url: 'https://evil.example/', parent: null } }
    expect(await drop(evil, { path: dropped })).toMatchObject({ ok: false })
    expect(await grants.problem(dropped)).not.toBeNull()
    expect(await drop(fromApp, { path: join(outside, 'missing.png') })).toEqual({
      ok: true,
      result: { path: '' }
    })
    expect(await drop(fromApp, { path: dropped })).toEqual({ ok: true, result: { path: dropped } })
    expect(await grants.problem(dropped)).toBeNull()
    // The engine channels registered beside it check paths too.
    const importer = registered.get('model:import')!
    expect(await importer(fromApp, { path: '/etc' })).toMatchObject({
      ok: false,
      error: { code: 'PATH_NOT_ALLOWED' }
    })
  })
})
