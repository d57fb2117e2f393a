// What a new user sees and can reach: the first-run cards on Train and Classify, the drop zone
// (visible, hover state, keyboard-reachable picker) and the labelled draw pad.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import type { CurrentModelInfo } from '#shared/protocol/models'
import ClassifyView from '../../src/renderer/src/components/classify/ClassifyView.svelte'
import TrainingView from '../../src/renderer/src/components/training/TrainingView.svelte'
import { renderView } from './render-view'
import { createFakeApi } from './training-fake-api'

const MODEL: CurrentModelInfo = {
  source: 'trained',
  modelDir: '/data/models/last',
  name: 'seed',
  layers: [],
  totalParams: 225034,
  hasOptimizer: false,
  metadata: null,
  measured: null
}

/** The fake engine, with or without a current model. */
function api(model: CurrentModelInfo | null) {
  const fake = createFakeApi()
  fake.calls['model:current'] = vi.fn(async () => model)
  return fake
}

describe('first steps', () => {
  it('Train says how to start when there is no model, and nothing once there is one', async () => {
    const fake = api(null)
    const { app } = renderView(TrainingView, fake.api)
    app.connect()
    expect(await screen.findByRole('heading', { name: 'Train your first model' })).toBeTruthy()
    await waitFor(() => expect(fake.calls['model:current']).toHaveBeenCalled())
    // An imported model (or a finished run) makes the engine announce its current model.
    fake.emit({ type: 'model:changed', model: MODEL } as never)
    await waitFor(() => expect(screen.queryByText('Train your first model')).toBeNull())
  })

  it('Classify without a model points to Train and to import', async () => {
    const { app } = renderView(ClassifyView, api(null).api)
    app.connect()
    expect(await screen.findByRole('heading', { name: 'Train a model first' })).toBeTruthy()
    await fireEvent.click(screen.getByRole('button', { name: 'Import a model…' }))
    expect(app.navigation.view).toBe('models')
    await fireEvent.click(screen.getByRole('button', { name: 'Go to Train' }))
    expect(app.navigation.view).toBe('train')
  })

  it('Classify with a model shows no such card', async () => {
    const { app } = renderView(ClassifyView, api(MODEL).api)
    app.connect()
    await waitFor(() => expect(app.exports.current).not.toBeNull())
    expect(screen.queryByText('Train a model first')).toBeNull()
  })
})

describe('drop zone and draw pad', () => {
  it('is a button that opens the file picker (Enter and Space work as on any button)', async () => {
    renderView(ClassifyView, api(MODEL).api)
    const zone = screen.getByRole('button', { name: /Drop images here.*Choose files/ })
    const picker = document.querySelector<HTMLInputElement>('input[type="file"]')!
    const click = vi.spyOn(picker, 'click').mockImplementation(() => undefined)
    zone.focus()
    expect(document.activeElement).toBe(zone)
    await fireEvent.click(zone)
    expect(click).toHaveBeenCalledTimes(1)
    // The picker itself is out of the tab order: the zone is the one stop.
    expect(picker.tabIndex).toBe(-1)
  })

  it('says "Drop to classify" while files are dragged over the window', async () => {
    renderView(ClassifyView, api(MODEL).api)
    expect(screen.getByText('Drop images here')).toBeTruthy()
    const dt = { files: [], items: [], types: ['Files'], dropEffect: 'none' }
    await fireEvent.dragOver(window, { dataTransfer: dt })
    expect(screen.getByText('Drop to classify')).toBeTruthy()
    await fireEvent.dragLeave(window)
    expect(screen.getByText('Drop images here')).toBeTruthy()
  })

  it('the draw pad is labelled, with a stroke width and a Clear button', () => {
    renderView(ClassifyView, api(MODEL).api)
    const pad = screen.getByRole('group', { name: 'Or draw a digit' })
    expect(pad.querySelector('canvas')?.getAttribute('aria-label')).toBe(
      'Drawing pad: draw a digit'
    )
    const stroke = screen.getByRole('slider', { name: /Stroke/ }) as HTMLInputElement
    expect([stroke.min, stroke.max, stroke.value]).toEqual(['8', '32', '18'])
    expect(screen.getByRole('button', { name: 'Clear' })).toBeTruthy()
  })
})
