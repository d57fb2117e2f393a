/**
 * The engine status the status bar and panel show: backend and why, dataset, versions, and whether
 * the engine process is up. One rune class; components only read it and call its methods.
 */
import type { RendererApi } from '#shared/ipc-contract'
import type { EngineState } from '#shared/protocol/app'
import type { EngineInfo } from '#shared/protocol/info'
import { errorInfo } from '../api'

type AppVersions = Awaited<ReturnType<RendererApi['app']['versions']>>

export class EngineStatus {
  /** What `engine:info` reported; null until the first answer. */
  info = $state.raw<EngineInfo | null>(null)
  /** Electron/Chrome versions from main; `electron` is '' outside Electron (browser e2e). */
  versions = $state.raw<AppVersions | null>(null)
  state = $state<EngineState>('starting')
  /** Why the engine crashed or stopped, or why the last request failed. */
  reason = $state<string | null>(null)
  loading = $state(false)

  /** True when the page runs in plain Chromium (the e2e bridge), not in Electron. */
  readonly inElectron = $derived(this.versions !== null && this.versions.electron !== '')

  private unsubscribe: (() => void) | null = null

  constructor(private readonly api: RendererApi) {}

  /** Starts listening to engine state changes and loads info and versions once. */
  start(): () => void {
    this.unsubscribe = this.api.on('engine:state', (event) => {
      this.state = event.state
      this.reason = event.reason ?? null
      // A restarted engine may have picked another backend (e.g. after a native crash).
      if (event.state === 'ready') void this.refresh()
    })
    void this.refresh()
    return () => this.stop()
  }

  /** Stops listening (component teardown). */
  stop(): void {
    this.unsubscribe?.()
    this.unsubscribe = null
  }

  /** Asks the engine and main again; failures end up in `reason`, never thrown at the UI. */
  async refresh(): Promise<void> {
    this.loading = true
    try {
      const [info, versions] = await Promise.all([this.api.engine.info(), this.api.app.versions()])
      this.info = info
      this.versions = versions
      this.state = 'ready'
      this.reason = null
    } catch (err) {
      const { code, message } = errorInfo(err)
      if (code === 'ENGINE_CRASHED') this.state = 'crashed'
      this.reason = message
    } finally {
      this.loading = false
    }
  }

  /** Asks main for a fresh engine process; state events report the way back to 'ready'. */
  async restart(): Promise<void> {
    this.state = 'starting'
    this.reason = null
    try {
      await this.api.engine.restart()
    } catch (err) {
      this.reason = errorInfo(err).message
      this.state = 'crashed'
    }
  }
}
