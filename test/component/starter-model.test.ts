// The starter model shipped with the app (issue 16) as the renderer shows it: the current-model
// card, the status bar and panel name it with its MNIST test accuracy and say that training
// replaces it; Classify works out of the box (no "train first" card) until a run of the user's own
// takes over.
import { render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import type { RendererApi } from '#shared/ipc-contract'
import type { CurrentModelInfo } from '#shared/protocol/models'
import ClassifyView from '../../src/renderer/src/components/classify/ClassifyView.svelte'
import CurrentModelCard from '../../src/renderer/src/components/model/CurrentModelCard.svelte'
import StatusBar from '../../src/renderer/src/components/status/StatusBar.svelte'
import StatusPanel from '../../src/renderer/src/components/status/StatusPanel.svelte'
import TrainingView from '../../src/renderer/src/components/training/TrainingView.svelte'
import { EngineStatus } from '../../src/renderer/src/lib/state/engine-status.svelte'
import { ExportState } from '../../src/renderer/src/lib/state/export.svelte'
import { renderView } from './render-view'
import { createFakeApi } from './training-fake-api'

const STARTER: CurrentModelInfo = {
  source: 'starter',
  modelDir: '/opt/digit-studio/resources/starter-model',
  name: 'accurate',
  layers: [],
  totalParams: 871_690,
  hasOptimizer: false,
  // The weights' own metadata comes from a checkpoint (no test accuracy): starter.json's is shown.
  metadata: null,
  measured: null,
  starter: {
    testAccuracy: 0.9953,
    testAccuracyFloat32: 0.9954,
    weightBytes: 1_743_956,
    date: '2026-12-03T15:05:00Z'
  }
}
const TRAINED: CurrentModelInfo = {
  ...STARTER,
  source: 'trained',
  modelDir: '/data/models/last',
  starter: undefined
}

function withCurrent(model: CurrentModelInfo | null) {
  const fake = createFakeApi()
  fake.calls['model:current'] = vi.fn(async () => model)
  return fake
}

describe('the starter model in the app', () => {
  it('the current-model card names it, shows its accuracy and says training replaces it', async () => {
    const exp = new ExportState({} as RendererApi)
    exp.setCurrent(STARTER)
    const { rerender } = render(CurrentModelCard, { state: exp })
    expect(screen.getByTestId('starter-model').textContent).toBe('Starter model')
    expect(screen.getByText('99.53 %', { exact: false })).toBeTruthy()
    expect(screen.getByTestId('starter-note').textContent).toMatch(
      /Training your own model replaces it/
    )
    exp.setCurrent(TRAINED)
    await rerender({ state: exp })
    await waitFor(() => expect(screen.queryByTestId('starter-note')).toBeNull())
    expect(screen.getByText(/Trained in Digit Studio/)).toBeTruthy()
  })

  it('the status bar and panel say "Starter model" with its accuracy', async () => {
    const status = new EngineStatus(createFakeApi().api)
    render(StatusBar, { status, model: STARTER, onopen: () => undefined })
    render(StatusPanel, { status, model: STARTER })
    expect(screen.getByTestId('statusbar-model').textContent).toBe('· Starter model 99.53 %')
    const row = screen.getByTestId('model').textContent!
    expect(row).toMatch(/Starter model, 99\.53 % on the MNIST test set/)
    expect(row).toMatch(/training your own model replaces it/)
  })

  it('Classify works out of the box: no "train first" card, a ready card until the user trains', async () => {
    const fake = withCurrent(STARTER)
    const { app } = renderView(ClassifyView, fake.api)
    app.connect()
    expect(await screen.findByRole('heading', { name: 'Ready to read your digits' })).toBeTruthy()
    expect(screen.queryByText('Train a model first')).toBeNull()
    expect(screen.getByText(/starter model/).closest('p')!.textContent).toMatch(/99\.53 %/)
    // The user's own model (a finished run, an import) takes over: the card goes.
    fake.emit({ type: 'model:changed', model: TRAINED } as never)
    await waitFor(() => expect(screen.queryByText('Ready to read your digits')).toBeNull())
  })

  it('Train still invites a first run of the user’s own, mentioning the starter', async () => {
    const { app } = renderView(TrainingView, withCurrent(STARTER).api)
    app.connect()
    const heading = await screen.findByRole('heading', { name: 'Train your first model' })
    await waitFor(() =>
      expect(heading.parentElement!.textContent).toMatch(/starter model shipped with the app/)
    )
  })
})
