// An engine crash (or stop) mid-run ends the run in the UI: status, reason, buttons, taskbar.
import { render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import ControlsPanel from '../../src/renderer/src/components/training/ControlsPanel.svelte'
import { TrainingState } from '../../src/renderer/src/lib/state/training.svelte'
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '#shared/protocol/training'
import { batchEvent, createFakeApi, startedEvent } from './training-fake-api'

const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, epochs: 3, trainLimit: 2000 }
const SIGKILL = 'engine killed by SIGKILL'

function setup() {
  const fake = createFakeApi()
  const state = new TrainingState(fake.api)
  state.connect()
  const started = () =>
    fake.emit(startedEvent(config, { trainCount: 1800, validationCount: 200, testCount: 500 }))
  const batch = (n: number) => fake.emit(batchEvent(1, n))
  const progress = () => fake.calls['app:progress'].mock.calls.map(([p]) => p.fraction as number)
  const notes = () => fake.calls['app:notify'].mock.calls.map(([n]) => n as { title: string })
  return { fake, state, started, batch, progress, notes }
}

function controls() {
  return ['Train', 'Pause', 'Stop'].map(
    (name) => (screen.getByRole('button', { name }) as HTMLButtonElement).disabled
  )
}

describe('TrainingState when the engine dies', () => {
  it('fails the running run with the crash reason, clears the taskbar and re-enables Train', async () => {
    const { fake, state, started, batch, progress, notes } = setup()
    await state.start(config)
    started()
    batch(2)
    expect(progress().at(-1)).toBeGreaterThan(0)

    fake.engineState('crashed', SIGKILL)
    expect(state.status).toBe('error')
    expect(state.error).toBe(`Engine crashed: ${SIGKILL}`)
    expect([state.busy, state.canStart, state.canPause, state.canResume, state.canStop]).toEqual([
      false,
      true,
      false,
      false,
      false
    ])
    expect(progress().at(-1)).toBe(-1)
    expect(notes()).toEqual([{ title: 'Training failed', body: `Engine crashed: ${SIGKILL}` }])
    // The progress made before the crash stays on screen.
    expect(state.series.batchLoss.length).toBeGreaterThan(0)
  })

  it("fails a paused run when the engine stops, and says it's stopped", async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    fake.emit({ type: 'training:paused', runId: 'run-1' })
    expect(state.status).toBe('paused')
    fake.engineState('stopped', 'engine exited with code 0')
    expect(state.status).toBe('error')
    expect(state.error).toBe('Engine stopped: engine exited with code 0')
    expect(state.canStart).toBe(true)
  })

  it('says "unknown reason" when main gives none', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    fake.engineState('crashed')
    expect(state.error).toBe('Engine crashed: unknown reason')
  })

  it('leaves an idle or finished dashboard alone', async () => {
    const { fake, state, progress, notes } = setup()
    fake.engineState('crashed', SIGKILL)
    fake.engineState('stopped')
    expect(state.status).toBe('idle')
    expect(state.error).toBeNull()
    expect(progress()).toEqual([])
    expect(notes()).toEqual([])

    await state.start(config)
    fake.emit({ type: 'training:stopped', runId: 'run-1', epoch: 1, batch: 0, reason: 'user' })
    expect(state.status).toBe('stopped')
    fake.engineState('crashed', SIGKILL)
    expect(state.status).toBe('stopped')
    expect(state.error).toBeNull()
    // 'starting' and 'ready' never end a run.
    fake.engineState('starting')
    fake.engineState('ready')
    expect(state.status).toBe('stopped')
  })

  it('keeps the crash reason when the in-flight start request then fails, and ends the run once', async () => {
    const { fake, state, notes } = setup()
    let reject!: (err: Error) => void
    fake.calls['training:start'].mockImplementationOnce(
      () => new Promise((_ok, no) => (reject = no))
    )
    const starting = state.start(config)
    expect(state.status).toBe('starting')
    fake.engineState('crashed', SIGKILL)
    expect(state.status).toBe('error')
    reject(Object.assign(new Error(`ENGINE_CRASHED: ${SIGKILL}`), { code: 'ENGINE_CRASHED' }))
    await starting
    expect(state.status).toBe('error')
    expect(state.error).toBe(`Engine crashed: ${SIGKILL}`)
    expect(notes()).toHaveLength(1)
  })

  it('keeps the crash reason when a pending Stop request then fails', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    let reject!: (err: Error) => void
    fake.calls['training:stop'].mockImplementationOnce(
      () => new Promise((_ok, no) => (reject = no))
    )
    const stopping = state.stop()
    expect(state.status).toBe('stopping')
    fake.engineState('crashed', SIGKILL)
    reject(new Error(`ENGINE_CRASHED: ${SIGKILL}`))
    await stopping
    expect(state.status).toBe('error')
    expect(state.error).toBe(`Engine crashed: ${SIGKILL}`)
  })

  it('can train again after the crash: a new run starts clean', async () => {
    const { fake, state, started } = setup()
    await state.start(config)
    started()
    fake.engineState('crashed', SIGKILL)
    fake.engineState('starting')
    fake.engineState('ready')
    fake.calls['training:start'].mockResolvedValueOnce({ runId: 'run-2' })
    await state.start(config)
    expect(state.status).toBe('running')
    expect(state.runId).toBe('run-2')
    expect(state.error).toBeNull()
  })
})

describe('ControlsPanel when the engine dies', () => {
  it('shows Failed with the reason and enables Train, disables Pause and Stop', async () => {
    const { fake, state, started } = setup()
    render(ControlsPanel, { training: state, canTrain: true, ontrain: () => {} })
    await state.start(config)
    started()
    await waitFor(() => expect(controls()).toEqual([true, false, false]))

    fake.engineState('crashed', SIGKILL)
    await waitFor(() => expect(screen.getByTestId('run-status').textContent).toMatch(/Failed/))
    expect(screen.getByRole('alert').textContent).toBe(`Engine crashed: ${SIGKILL}`)
    expect(controls()).toEqual([false, true, true])
  })
})
