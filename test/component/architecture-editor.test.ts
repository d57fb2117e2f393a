// The architecture editor (issue 14) over a fake api: start from a preset, shapes and parameters
// beside every layer, add/remove/reorder with keyboard and buttons, the breaking layer in words,
// Train disabled until fixed, and the spec the run is started with. The e2e test trains one for real.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import TrainingView from '../../src/renderer/src/components/training/TrainingView.svelte'
import { analyseLayers } from '#shared/model-spec/analyse'
import { PRESET_SPECS } from '#shared/model-spec/presets'
import type { RunSummary } from '#shared/protocol/models'
import { renderView } from './render-view'
import { batchEvent, createFakeApi } from './training-fake-api'

function setup(): ReturnType<typeof createFakeApi> & ReturnType<typeof renderView> {
  const fake = createFakeApi()
  return { ...fake, ...renderView(TrainingView, fake.api) }
}

const rows = (): HTMLElement[] => screen.getAllByTestId('layer-row')
const trainButton = (): HTMLButtonElement =>
  screen.getByRole('button', { name: 'Train' }) as HTMLButtonElement
const totals = (): string =>
  screen.getByTestId('architecture-totals').textContent!.replace(/\s+/g, ' ')
const SEED_MFLOPS = analyseLayers(PRESET_SPECS.seed.layers).mflopsPerImage

/** A runs-history row; the fake engine (INFO) runs on wasm. */
function run(id: string, over: Partial<RunSummary>): RunSummary {
  return {
    id,
    date: '2026-12-01T10:00:00Z',
    preset: 'seed',
    architecture: null,
    dataset: 'MNIST',
    status: 'done',
    epochsDone: 3,
    epochsPlanned: 3,
    testAccuracy: 0.98,
    totalSeconds: 100,
    backend: 'wasm',
    throughput: null,
    hasModel: true,
    ...over
  }
}
const shapes = (): string[] => screen.getAllByTestId('layer-shape').map((e) => e.textContent!)

// Many re-renders per test: more time than the 5 s default on a loaded machine.
describe('architecture editor', { timeout: 30_000 }, () => {
  it('starts from a preset with each layer’s output shape and parameters, and the totals', async () => {
    setup()
    await fireEvent.change(screen.getByTestId('architecture-start'), { target: { value: 'seed' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    expect(rows()).toHaveLength(7)
    expect(shapes()).toEqual(['26×26×32', '13×13×32', '11×11×64', '5×5×64', '1600', '128', '10'])
    expect(screen.getAllByTestId('layer-params').map((e) => e.textContent)).toEqual([
      '320',
      '0',
      '18,496',
      '0',
      '0',
      '204,928',
      '1,290'
    ])
    expect(screen.getByTestId('architecture-totals').textContent!.replace(/\s+/g, ' ')).toMatch(
      /225,034 parameters · \d+\.\d\d MFLOPs\/image · ~\d+ MB training memory at batch 32 · seconds per epoch: train once on this backend to estimate time/
    )
    expect(screen.getByTestId<HTMLInputElement>('architecture-enabled').checked).toBe(true)
  })

  it('estimates time from the newest finished run on this backend, until this session measures one', async () => {
    const fake = createFakeApi()
    // Newest first, as the engine lists them: a native run (another backend), a wasm run that was
    // killed (no figure), then the wasm run the estimate must come from, and an older wasm run.
    fake.calls['runs:list'] = vi.fn(async () => ({
      dir: '/data/runs',
      runs: [
        run('20261203-100000-aaaa', {
          backend: 'native',
          throughput: { samplesPerSecond: 5400, mflopsPerImage: SEED_MFLOPS }
        }),
        run('20261202-100000-bbbb', { status: 'incomplete' }),
        // A model twice the seed's work per image at 200 img/s: the seed does 400 img/s.
        run('20261201-100000-cccc', {
          throughput: { samplesPerSecond: 200, mflopsPerImage: 2 * SEED_MFLOPS }
        }),
        run('20261130-100000-dddd', {
          throughput: { samplesPerSecond: 10, mflopsPerImage: SEED_MFLOPS }
        })
      ]
    }))
    const { app } = renderView(TrainingView, fake.api)
    app.training.connect()
    await app.runs.refresh()
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    // The form's 6,000 images less the 10 % validation split: 5,400 images at 400 img/s.
    await waitFor(() => expect(totals()).toMatch(/· ~14 s per epoch on this backend$/))

    // This session's run (the same seed layers) measures 800 img/s: its figure wins.
    await fireEvent.click(trainButton())
    fake.emit(batchEvent(1, 1))
    await waitFor(() => expect(totals()).toMatch(/· ~7 s per epoch on this backend$/))
  })

  it('says in words when no run has measured this backend', async () => {
    const fake = createFakeApi()
    fake.calls['runs:list'] = vi.fn(async () => ({
      dir: '/data/runs',
      runs: [
        run('20261203-100000-aaaa', {
          backend: 'native',
          throughput: { samplesPerSecond: 5400, mflopsPerImage: SEED_MFLOPS }
        })
      ]
    }))
    const { app } = renderView(TrainingView, fake.api)
    await app.runs.refresh()
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    await waitFor(() => expect(app.config.engineInfo?.backend).toBe('wasm'))
    expect(totals()).toMatch(/seconds per epoch: train once on this backend to estimate time$/)
  })

  it('the Model panel’s Layers table shows the editor’s layers while it is switched on', async () => {
    setup()
    const panel = (): HTMLElement => screen.getByRole('region', { name: 'Model' })
    const tableRows = (): string[][] =>
      within(panel())
        .getAllByRole('row')
        .slice(1, -1)
        .map((r) =>
          within(r)
            .getAllByRole('cell')
            .map((c) => c.textContent!.trim())
        )
    // The preset's table from the engine (the fake's two-layer summary).
    await waitFor(() =>
      expect(within(panel()).getByTestId('total-params').textContent).toBe('1,610')
    )
    await fireEvent.change(screen.getByTestId('architecture-start'), { target: { value: 'fast' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    // Widen the first convolution: the table follows the editor, with the shared analysis' figures.
    await fireEvent.input(within(rows()[0]).getByLabelText('Filters'), { target: { value: '10' } })
    expect(tableRows()).toEqual([
      ['Conv2D', '(batch, 26, 26, 10)', '100'],
      ['MaxPooling2D', '(batch, 13, 13, 10)', '0'],
      ['Conv2D', '(batch, 11, 11, 16)', '1,456'],
      ['MaxPooling2D', '(batch, 5, 5, 16)', '0'],
      ['Flatten', '(batch, 400)', '0'],
      ['Dense', '(batch, 10)', '4,010']
    ])
    expect(within(panel()).getByTestId('total-params').textContent).toBe('5,566')
    expect(within(panel()).getByText(/Layers \(your own architecture: my-fast\)/)).toBeTruthy()
    expect(within(panel()).getByTestId('layers-from-editor').textContent).toMatch(
      /the run trains these layers, not\s+the seed preset's/
    )
    // A broken stack has no table to show: the panel says where to fix it.
    await fireEvent.input(within(rows()[0]).getByLabelText('Filters'), { target: { value: '600' } })
    expect(within(panel()).queryByTestId('total-params')).toBeNull()
    expect(within(panel()).getByText(/can't be built yet: fix the marked layer/)).toBeTruthy()
    // Switched off: the preset's table is back.
    await fireEvent.click(screen.getByTestId('architecture-enabled'))
    expect(within(panel()).getByTestId('total-params').textContent).toBe('1,610')
    expect(within(panel()).queryByTestId('layers-from-editor')).toBeNull()
  })

  it('explains an impossible stack at the breaking layer and disables Train until it is fixed', async () => {
    setup()
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    await waitFor(() => expect(trainButton().disabled).toBe(false))
    // Three more 2×2 pools after the second: 5×5 -> 2×2 -> 1×1 -> nothing.
    for (let i = 0; i < 3; i++) {
      await fireEvent.change(screen.getByTestId('add-layer-type'), {
        target: { value: 'MaxPooling2D' }
      })
      await fireEvent.click(screen.getByTestId('add-layer'))
    }
    // Move the three new pools up, with Alt+Up, to sit right after the second pool.
    for (const from of [7, 8, 9]) {
      let at = from
      while (at > 4) {
        await fireEvent.keyDown(rows()[at], { key: 'ArrowUp', altKey: true })
        at--
      }
    }
    expect(rows().map((r) => within(r).getAllByText(/\w+/)[1].textContent)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'MaxPooling2D',
      'MaxPooling2D',
      'MaxPooling2D',
      'Flatten',
      'Dense',
      'Dense'
    ])
    expect(screen.getByTestId('layer-error').textContent).toBe(
      'the 2×2 pool after the 2×2 pool leaves nothing to pool: its input is 1×1'
    )
    expect(trainButton().disabled).toBe(true)
    expect(screen.getByTestId('architecture-blocked')).toBeTruthy()
    // Remove the offending pool with the mouse: the stack works again.
    await fireEvent.click(screen.getByRole('button', { name: 'Remove layer 7' }))
    expect(screen.queryByTestId('layer-error')).toBeNull()
    expect(trainButton().disabled).toBe(false)
  })

  it('a field outside its limits is named at its layer; the run starts with the edited spec', async () => {
    const { calls } = setup()
    await fireEvent.change(screen.getByTestId('architecture-start'), { target: { value: 'fast' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    const filters = within(rows()[0]).getByLabelText('Filters')
    await fireEvent.input(filters, { target: { value: '600' } })
    expect(screen.getByTestId('layer-error').textContent).toBe('filters: Must be at most 512.')
    expect(trainButton().disabled).toBe(true)
    await fireEvent.input(filters, { target: { value: '12' } })
    await fireEvent.change(within(rows()[0]).getByLabelText('Activation'), {
      target: { value: 'gelu' }
    })
    // Drop the hidden classifier: the editor shows it added back as fixed rows.
    await fireEvent.click(screen.getByRole('button', { name: 'Remove layer 6' }))
    expect(screen.getAllByTestId('fixed-row')).toHaveLength(1)
    await waitFor(() => expect(trainButton().disabled).toBe(false))
    await fireEvent.click(trainButton())
    const config = calls['training:start'].mock.calls[0][0]
    expect(config.architecture.name).toBe('my-fast')
    expect(config.architecture.layers[0]).toMatchObject({ filters: 12, activation: 'gelu' })
    expect(config.architecture.layers.at(-1)).toMatchObject({ type: 'Dense', units: 10 })
  })

  it('saves under a name and pastes a Keras JSON through the engine', async () => {
    const { calls } = setup()
    calls['architectures:save'] = (async ({ name }: { name: string }) => ({
      name,
      path: `/data/architectures/${name}.json`
    })) as never
    await fireEvent.click(screen.getByRole('button', { name: 'Load' }))
    await fireEvent.input(screen.getByTestId('architecture-name'), {
      target: { value: 'wide' }
    })
    await fireEvent.click(screen.getByTestId('architecture-save'))
    await screen.findByText('Saved as wide')
    calls['architectures:check'] = (async () => {
      throw Object.assign(new Error('pasted JSON: layers[0] (LSTM): LSTM is not offered'), {
        code: 'MODEL_INVALID'
      })
    }) as never
    await fireEvent.input(screen.getByTestId('architecture-paste'), { target: { value: '{}' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Read' }))
    await screen.findByText(/LSTM is not offered/)
  })
})
