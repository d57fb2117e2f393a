// The Studies view over a fake api (issue 14): the space form's limits, a study's live trials,
// the parallel-coordinates chart, a trial's curves and "Train the best".
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { StudySettings, TrialRecord } from '#shared/protocol/studies'
import type { TrainConfig } from '#shared/protocol/training'
import StudiesView from '../../src/renderer/src/components/studies/StudiesView.svelte'
import { renderView } from './render-view'
import { createFakeApi } from './training-fake-api'

const DIR = '/home/studies/s1'
const settings: StudySettings = {
  version: 1,
  id: 's1',
  preset: 'fast',
  space: { learningRate: { values: [1e-3, 4e-3] }, batchSize: { values: [64, 128] } },
  strategy: 'grid',
  trainLimit: 3000,
  validationImages: 1000,
  seed: 42,
  created: '2026-12-03T13:00:00.000Z'
}

function record(trial: number, lr: number, batch: number, acc: number): TrialRecord {
  const curve = [
    { epoch: 1, loss: 0.5, accuracy: 0.85, valLoss: 0.4, valAccuracy: acc - 0.02 },
    { epoch: 2, loss: 0.3, accuracy: 0.9, valLoss: 0.3, valAccuracy: acc }
  ]
  return {
    trial,
    params: {
      architecture: 'fast',
      learningRate: lr,
      batchSize: batch,
      epochs: 2,
      learningRateDecay: 1,
      augment: false
    },
    status: 'complete',
    rungs: [
      {
        rung: 0,
        epochs: 2,
        trainImages: 3000,
        imagesProcessed: 6000,
        valAccuracy: acc,
        valLoss: 0.3,
        seconds: 4.2,
        curve
      }
    ]
  }
}

function setup() {
  const fake = createFakeApi()
  fake.calls['study:list'] = (async () => []) as never
  const view = renderView(StudiesView, fake.api)
  view.app.studies.connect()
  return { fake, ...view }
}

describe('StudiesView', () => {
  it('checks the space with the schema and names the field at fault', async () => {
    const { container, app } = setup()
    const batch = container.querySelector<HTMLInputElement>('input[name="space-batchSize"]')!
    await fireEvent.input(batch, { target: { value: '64, 0' } })
    expect(await screen.findByText(/batchSize\.values\.1: .*>=1/)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Run study' }).hasAttribute('disabled')).toBe(true)
    const lr = container.querySelector<HTMLInputElement>('input[name="space-lr-min"]')!
    expect(lr.max).toBe('10')
    await fireEvent.input(batch, { target: { value: '64, 128' } })
    await waitFor(() => expect(app.studies.valid).toBe(true))
  })

  it('starts a study with the space, shows its trials live, the best, and a trial`s curves', async () => {
    const { fake, container } = setup()
    await fireEvent.click(screen.getByRole('button', { name: 'Run study' }))
    expect(fake.calls['study:start']).toHaveBeenCalledWith(
      expect.objectContaining({
        preset: 'fast',
        strategy: 'halving',
        space: expect.objectContaining({
          learningRate: { min: 0.0005, max: 0.008, steps: 3 },
          batchSize: { values: [64, 128] },
          widthMultiplier: { values: [1, 2] }
        })
      })
    )
    fake.emit({ type: 'study:started', dir: DIR, settings, planned: 3, resumed: 0 })
    const trials = [
      record(1, 1e-3, 64, 0.95),
      record(2, 4e-3, 64, 0.97),
      record(3, 1e-3, 128, 0.93)
    ]
    fake.emit({
      type: 'study:epoch',
      dir: DIR,
      trial: 1,
      rung: 0,
      epochs: 2,
      epoch: trials[0].rungs[0].curve[0]
    })
    for (const r of trials) fake.emit({ type: 'study:trial', dir: DIR, record: r })
    fake.emit({
      type: 'study:done',
      dir: DIR,
      best: { trial: 2, params: trials[1].params, valAccuracy: 0.97 },
      trials: 3,
      reason: 'finished',
      imagesProcessed: 18000
    })
    const table = await screen.findByTestId('trials-table')
    await waitFor(() => expect(table.querySelectorAll('tbody tr')).toHaveLength(3))
    expect(table.querySelector('tr[data-trial="2"]')!.textContent).toMatch(/97\.00 %.*★/)
    expect(screen.getByTestId('study-best').textContent).toMatch(/trial 2 at 97\.00 %/)
    expect(screen.getByTestId('study-status').textContent).toMatch(/done · 3\/3 trials finished/)
    // One line per trial; the axes are the parameters that vary, then validation accuracy.
    const chart = screen.getByTestId('parallel-coordinates')
    expect(chart.querySelectorAll('polyline.trial')).toHaveLength(3)
    expect([...chart.querySelectorAll('.axis-label')].map((t) => t.textContent)).toEqual([
      'learning rate',
      'batch',
      'val accuracy'
    ])
    await fireEvent.click(screen.getByRole('button', { name: '3' }))
    expect((await screen.findByTestId('trial-params')).textContent).toMatch(/"batchSize":128/)
    expect(container.querySelector('[data-panel="study-trial"] h2')!.textContent).toBe('Trial 3')
  })

  it('"Train the best" starts a normal run with its settings on the whole training set', async () => {
    const { fake } = setup()
    fake.emit({ type: 'study:started', dir: DIR, settings, planned: 1, resumed: 0 })
    const best = record(1, 4e-3, 128, 0.97)
    fake.emit({ type: 'study:trial', dir: DIR, record: best })
    fake.emit({
      type: 'study:done',
      dir: DIR,
      best: { trial: 1, params: best.params, valAccuracy: 0.97 },
      trials: 1,
      reason: 'finished',
      imagesProcessed: 6000
    })
    await fireEvent.click(await screen.findByRole('button', { name: 'Train the best' }))
    const config = fake.calls['training:start'].mock.calls[0][0] as TrainConfig
    expect(config).toMatchObject({ preset: 'fast', learningRate: 4e-3, batchSize: 128, epochs: 2 })
    // The whole training set, the usual validation split: not the study's subset.
    expect(config.trainLimit).toBeUndefined()
    expect(config.validationSplit).toBe(0.1)
    expect(screen.getByTestId('train-best-result').textContent).toMatch(/Training the best/)
  })
})
