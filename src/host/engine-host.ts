/**
 * Keeps one engine process alive for the app: starts it, tracks its state, notices when it dies
 * and starts a fresh one on request. How the process is spawned is injected (utilityProcess in
 * Electron, child_process.fork in tests), so this logic is tested against the real engine.
 */
import { EngineError } from '#shared/errors'
import type { EngineEvent, EngineMethod, ParamsOf, ResultOf } from '#shared/engine-protocol'
import type { EngineStateEvent } from '#shared/protocol/app'
import type { EngineClient } from './engine-client'

interface EngineHostOptions {
  /** Starts a new engine process. */
  spawn: () => EngineClient
  /** State changes, for the renderer's status bar (sent as `engine:state` events). */
  onState?: (event: EngineStateEvent) => void
  /** Every event the engine streams (training progress, ...). */
  onEvent?: (event: EngineEvent) => void
}

export class EngineHost {
  private client: EngineClient | null = null
  private current: EngineStateEvent = { type: 'engine:state', state: 'stopped' }

  constructor(private readonly options: EngineHostOptions) {}

  /** The last state reported, e.g. `{ state: 'crashed', reason: 'engine killed by SIGKILL' }`. */
  get state(): EngineStateEvent {
    return this.current
  }

  /** Process id of the current engine (tests kill it to simulate a crash). */
  get pid(): number | undefined {
    return this.client?.pid
  }

  /** Starts the engine if none is running; resolves when it is ready (rejects if it dies first). */
  async start(): Promise<void> {
    if (!this.client || this.client.exited) this.client = this.spawnClient()
    await this.client.ready()
  }

  /** Sends a request to the engine; a dead engine answers ENGINE_CRASHED until it is restarted. */
  async request<M extends EngineMethod>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    const client = this.client
    if (!client) throw new EngineError('ENGINE_CRASHED', 'the engine is not running')
    await client.ready()
    return client.request(method, params)
  }

  /** Stops the current engine (politely, then by force) and starts a fresh one. */
  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  /** Stops the engine; the state becomes 'stopped'. */
  async stop(): Promise<void> {
    const client = this.client
    if (client && !client.exited) await client.dispose()
  }

  private spawnClient(): EngineClient {
    const client = this.options.spawn()
    this.setState({ type: 'engine:state', state: 'starting' })
    client.onEvent((event) => this.options.onEvent?.(event))
    client.onExit((exit) => {
      // An old engine that finishes dying after a restart must not overwrite the new one's state.
      if (client !== this.client) return
      this.setState({
        type: 'engine:state',
        state: exit.expected ? 'stopped' : 'crashed',
        reason: exit.reason
      })
    })
    client.ready().then(
      () => {
        if (client === this.client && !client.exited)
          this.setState({ type: 'engine:state', state: 'ready' })
      },
      () => undefined // the exit listener above reports it
    )
    return client
  }

  private setState(event: EngineStateEvent): void {
    this.current = event
    this.options.onState?.(event)
  }
}
