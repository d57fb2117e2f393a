/**
 * RELIABILITY T2: the engine host against real engine processes. Kill -9 the engine, the host
 * reports 'crashed' with the reason, requests fail with ENGINE_CRASHED (never hang), and a restart
 * brings a working engine back.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'
import { EngineHost } from '#host/engine-host'
import type { EngineStateEvent } from '#shared/protocol/app'
import { engineBackendEnv, expectedBackendKind } from '../helpers/engine'

async function waitFor(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const start = Date.now()
  while (!check()) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

describe('EngineHost with real engine processes', () => {
  const states: EngineStateEvent[] = []
  const spawned: EngineClient[] = []
  const host = new EngineHost({
    spawn: () => {
      const client = forkEngine({ env: engineBackendEnv() })
      spawned.push(client)
      return client
    },
    onState: (e) => states.push(e)
  })
  afterAll(() => host.stop())

  it('starts: starting -> ready, and answers engine:info', async () => {
    await host.start()
    expect(states.map((s) => s.state)).toEqual(['starting', 'ready'])
    const info = await host.request('engine:info', {})
    expect(info.backend).toBe(expectedBackendKind())
    expect(info.dataset.train).toBe(60_000)
  })

  it('reports a kill -9 as a crash with the reason, and fails requests fast', async () => {
    const pid = host.pid!
    process.kill(pid, 'SIGKILL')
    await waitFor(() => host.state.state === 'crashed', "state 'crashed'")
    expect(host.state.reason).toMatch(/killed by SIGKILL/)
    expect(states.at(-1)).toEqual(host.state)
    await expect(host.request('engine:info', {})).rejects.toMatchObject({
      name: 'EngineError',
      code: 'ENGINE_CRASHED'
    })
  })

  it('restarts into a fresh, working engine', async () => {
    const oldPid = spawned[0].pid
    await host.restart()
    expect(host.state.state).toBe('ready')
    expect(host.pid).not.toBe(oldPid)
    expect(spawned).toHaveLength(2)
    const info = await host.request('engine:info', {})
    expect(info.dataset.test).toBe(10_000)
  })

  it('a polite stop is reported as stopped, not crashed', async () => {
    await host.stop()
    expect(host.state.state).toBe('stopped')
    expect(spawned[1].exited?.expected).toBe(true)
  })

  it('a request that was in flight when the engine died is rejected, not left hanging', async () => {
    await host.start()
    const pending = host.request('engine:info', {})
    process.kill(host.pid!, 'SIGKILL')
    // Either it answered before the kill landed, or it must fail with ENGINE_CRASHED.
    await pending.then(
      (info) => expect(info.backend).toBe(expectedBackendKind()),
      (err: { code?: string }) => expect(err.code).toBe('ENGINE_CRASHED')
    )
    await waitFor(() => host.state.state === 'crashed', "state 'crashed'")
  })
})
