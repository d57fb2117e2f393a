// The architecture editor (issue 14) over a fake api: start from a preset, shapes and parameters
// beside every layer, add/remove/reorder with keyboard and buttons, the breaking layer in words,
// Train disabled until fixed, and the spec the run is started with. The e2e test trains one for real.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import TrainingView from '../../src/renderer/src/components/training/TrainingView.svelte'
import { renderView } from './render-view'
import { createFakeApi } from './training-fake-api'

function setup(): ReturnType<typeof createFakeApi> & ReturnType<typeof renderView> {
  const fake = createFakeApi()
  return { ...fake, ...renderView(TrainingView, fake.api) }
}

const rows = (): HTMLElement[] => screen.getAllByTestId('layer-row')
const trainButton = (): HTMLButtonElement =>
  screen.getByRole('button', { name: 'Train' }) as HTMLButtonElement
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
      /225,034 parameters · \d+\.\d\d MFLOPs\/image · ~\d+ MB training memory at batch 32 · seconds per epoch: train once to measure/
    )
    expect(screen.getByTestId<HTMLInputElement>('architecture-enabled').checked).toBe(true)
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
