// The engine status panel and bar over a scripted api: what they show for each engine state.
// (The same panel against the real engine runs in test/e2e/status.test.ts.)
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import StatusBar from '../../src/renderer/src/components/status/StatusBar.svelte'
import StatusPanel from '../../src/renderer/src/components/status/StatusPanel.svelte'
import { EngineStatus } from '../../src/renderer/src/lib/state/engine-status.svelte'
import type { IpcEvent, RendererApi } from '#shared/ipc-contract'
import type { EngineInfo } from '#shared/protocol/info'

const INFO: EngineInfo = {
  appVersion: '0.1.0',
  nodeVersion: '22.20.0',
  tfjsVersion: '4.22.0',
  backend: 'wasm',
  backendName: 'wasm',
  backendReason: 'tfjs-node not installed; using the wasm fallback',
  dataset: { name: 'MNIST', source: 'embedded', embedded: true, train: 60_000, test: 10_000 },
  model: null
}

/** An api whose engine answers `info` and whose main answers `versions`; events are pushed by hand. */
function scriptedApi(versions: { electron: string; chrome: string }) {
  const listeners = new Set<(e: IpcEvent) => void>()
  let infoAnswer: () => Promise<EngineInfo> = async () => INFO
  const api = {
    engine: {
      info: vi.fn(() => infoAnswer()),
      restart: vi.fn(async () => undefined)
    },
    app: { versions: vi.fn(async () => ({ app: '0.1.0', node: '22.20.0', ...versions })) },
    on: (type: string, cb: (e: IpcEvent) => void) => {
      const filtered = (e: IpcEvent): void => {
        if (e.type === type) cb(e)
      }
      listeners.add(filtered)
      return () => listeners.delete(filtered)
    }
  }
  return {
    api: api as unknown as RendererApi,
    raw: api,
    emit: (e: IpcEvent) => listeners.forEach((l) => l(e)),
    answerInfo: (info: EngineInfo) => {
      infoAnswer = async () => info
    },
    failInfo: (code: string, message: string) => {
      infoAnswer = async () => {
        throw Object.assign(new Error(`${code}: ${message}`), { name: 'EngineError', code })
      }
    }
  }
}

describe('StatusPanel', () => {
  it('on native: the badge and the bar say native and the TensorFlow version; no fallback help', async () => {
    const fake = scriptedApi({ electron: '45.5.0', chrome: '142.0.1' })
    fake.answerInfo({
      ...INFO,
      backend: 'native',
      backendName: 'tensorflow',
      backendReason: 'tfjs-node loaded (libtensorflow)',
      tensorflowVersion: '2.21.0'
    })
    const status = new EngineStatus(fake.api)
    status.start()
    render(StatusPanel, { status })
    render(StatusBar, { status, onopen: () => undefined })
    await waitFor(() => expect(screen.getByTestId('engine-state').textContent).toBe('ready'))
    expect(screen.getByTestId('backend').textContent).toBe('native (TensorFlow 2.21.0, tfjs-node)')
    expect(screen.getByTestId('statusbar').textContent).toMatch(/· native TensorFlow 2\.21\.0/)
    expect(screen.queryByTestId('native-help')).toBeNull()
    status.stop()
  })

  it('on the fallback: shows the reason and what native needs here', async () => {
    const fake = scriptedApi({ electron: '', chrome: '142.0.1' })
    const help = 'In this checkout, run `npm run native` (…); then restart the engine.'
    fake.answerInfo({ ...INFO, nativeHelp: help })
    const status = new EngineStatus(fake.api)
    status.start()
    render(StatusPanel, { status })
    await waitFor(() => expect(screen.getByTestId('native-help').textContent).toBe(help))
    expect(screen.getByTestId('backend-reason').textContent).toBe(INFO.backendReason)
    status.stop()
  })

  it('shows backend and why, the dataset and the versions', async () => {
    const { api } = scriptedApi({ electron: '45.5.0', chrome: '142.0.1' })
    const status = new EngineStatus(api)
    status.start()
    render(StatusPanel, { status })
    await waitFor(() => expect(screen.getByTestId('engine-state').textContent).toBe('ready'))
    expect(screen.getByTestId('backend').textContent).toBe('wasm (fallback)')
    expect(screen.getByTestId('backend-reason').textContent).toBe(INFO.backendReason)
    expect(screen.getByTestId('dataset').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'MNIST: 60,000 train / 10,000 test, embedded'
    )
    expect(screen.getByTestId('version-electron').textContent?.trim()).toBe(
      '45.5.0 (Chrome 142.0.1)'
    )
    expect(screen.getByTestId('version-node').textContent).toBe('22.20.0')
    expect(screen.getByTestId('version-tfjs').textContent).toBe('4.22.0')
    status.stop()
  })

  it('says when it is not running in Electron', async () => {
    const { api } = scriptedApi({ electron: '', chrome: '' })
    const status = new EngineStatus(api)
    status.start()
    render(StatusPanel, { status })
    await waitFor(() =>
      expect(screen.getByTestId('version-electron').textContent?.trim()).toBe(
        'not running in Electron'
      )
    )
    status.stop()
  })

  it('shows a crash with its reason and restarts on request', async () => {
    const fake = scriptedApi({ electron: '45.5.0', chrome: '142' })
    const status = new EngineStatus(fake.api)
    status.start()
    render(StatusPanel, { status })
    await waitFor(() => expect(screen.getByTestId('engine-state').textContent).toBe('ready'))
    expect(screen.queryByRole('button', { name: 'Restart engine' })).toBeNull()

    fake.emit({ type: 'engine:state', state: 'crashed', reason: 'engine killed by SIGKILL' })
    await waitFor(() => expect(screen.getByTestId('engine-state').textContent).toBe('crashed'))
    expect(screen.getByRole('alert').textContent).toBe('engine killed by SIGKILL')

    await fireEvent.click(screen.getByRole('button', { name: 'Restart engine' }))
    expect(fake.raw.engine.restart).toHaveBeenCalledTimes(1)
    fake.emit({ type: 'engine:state', state: 'ready' })
    await waitFor(() => expect(screen.getByTestId('engine-state').textContent).toBe('ready'))
    // A fresh engine is asked again: it may have picked another backend.
    expect(fake.raw.engine.info).toHaveBeenCalledTimes(2)
    expect(screen.queryByRole('alert')).toBeNull()
    status.stop()
  })

  it('turns a failed info request into a visible reason, not an exception', async () => {
    const fake = scriptedApi({ electron: '45.5.0', chrome: '142' })
    fake.failInfo(
      'ENGINE_CRASHED',
      'engine exited with code 3: BACKEND_FAILED: the wasm backend did not start'
    )
    const status = new EngineStatus(fake.api)
    status.start()
    render(StatusPanel, { status })
    await waitFor(() => expect(screen.getByTestId('engine-state').textContent).toBe('crashed'))
    expect(screen.getByRole('alert').textContent).toBe(
      'engine exited with code 3: BACKEND_FAILED: the wasm backend did not start'
    )
    status.stop()
  })
})

describe('StatusBar', () => {
  it('summarises the engine and opens the panel on click', async () => {
    const { api } = scriptedApi({ electron: '45.5.0', chrome: '142' })
    const status = new EngineStatus(api)
    status.start()
    const onopen = vi.fn()
    render(StatusBar, { status, onopen })
    await waitFor(() =>
      expect(screen.getByTestId('statusbar').textContent).toContain('Engine ready')
    )
    const text = screen.getByTestId('statusbar').textContent?.replace(/\s+/g, ' ')
    expect(text).toContain('wasm fallback')
    expect(text).toContain('MNIST 60,000 / 10,000')
    expect(screen.getByTestId('statusbar').getAttribute('title')).toBe(INFO.backendReason)
    await fireEvent.click(screen.getByTestId('statusbar'))
    expect(onopen).toHaveBeenCalledTimes(1)
    status.stop()
  })
})
