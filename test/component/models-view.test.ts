// The Runs & Export view over a scripted api: runs table, comparing curves (chart created once,
// fed plain arrays, destroyed on teardown), delete with confirmation, export via the save dialog,
// import via the folder dialog, and errors shown as the engine worded them.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import ModelsView from '../../src/renderer/src/components/model/ModelsView.svelte'
import { renderView } from './render-view'
import type { IpcEvent } from '#shared/ipc-contract'
import type { CurrentModelInfo } from '#shared/protocol/models'
import { CURRENT, fakeApi, row } from './models-fake-api'

const chart = vi.hoisted(() => ({
  created: 0,
  destroyed: 0,
  syncs: [] as { ids: string[]; metric: string; plain: boolean }[]
}))
vi.mock('../../src/renderer/src/components/model/runs-chart', async (importOriginal) => {
  const real =
    await importOriginal<typeof import('../../src/renderer/src/components/model/runs-chart')>()
  return {
    ...real,
    createCompareChart: () => {
      chart.created++
      return {
        sync: (curves: { id: string; accuracy: unknown }[], metric: string) =>
          chart.syncs.push({
            ids: curves.map((c) => c.id),
            metric,
            plain: curves.every((c) => Array.isArray(c.accuracy))
          }),
        destroy: () => chart.destroyed++
      }
    }
  }
})

beforeEach(() => {
  chart.created = 0
  chart.destroyed = 0
  chart.syncs = []
})

/** The view as the app shows it: in the app state's context, connected (loads runs and model). */
function show(api: unknown): ReturnType<typeof renderView> {
  const view = renderView(ModelsView, api)
  view.app.connect()
  return view
}

describe('Runs & Export view', () => {
  it('lists runs with date, preset, accuracy, time, backend and status', async () => {
    show(fakeApi().api)
    const first = await screen.findByText('2026-11-27 10:15:00')
    const tr = within(first.closest('tr')!)
    expect(tr.getByText('seed')).toBeTruthy()
    expect(tr.getByText('99.12 %')).toBeTruthy()
    expect(tr.getByText('2 min 05 s')).toBeTruthy()
    expect(tr.getByText('wasm')).toBeTruthy()
    const second = within(screen.getByText('2026-11-27 09:30:00').closest('tr')!)
    expect(second.getByText('stopped early')).toBeTruthy()
    expect(second.getByText('1/3')).toBeTruthy()
    expect(screen.getByText('/data/runs')).toBeTruthy()
  })

  it('names the architecture of a run trained on the user’s own layers, not the form’s preset', async () => {
    const { api } = fakeApi()
    api.runs.list.mockResolvedValue({
      runs: [
        row('20261127-101500-aa11', { architecture: 'wide-gelu' }),
        row('20261127-093000-bb22')
      ],
      dir: '/data/runs'
    })
    show(api)
    const own = within((await screen.findByText('2026-11-27 10:15:00')).closest('tr')!)
    const cell = own.getByText('wide-gelu').closest('td')!
    expect(cell.textContent!.replace(/\s+/g, ' ').trim()).toBe('wide-gelu (your own)')
    expect(own.queryByText('seed')).toBeNull()
    // A preset's run still names its preset.
    const preset = within(screen.getByText('2026-11-27 09:30:00').closest('tr')!)
    expect(preset.getByText('seed')).toBeTruthy()
    expect(screen.getByRole('columnheader', { name: 'Architecture' })).toBeTruthy()
  })

  it('overlays the curves of ticked runs: chart created once, fed plain arrays, destroyed on teardown', async () => {
    const { api } = fakeApi()
    const view = show(api)
    await fireEvent.click(await screen.findByLabelText('Compare run 20261127-101500-aa11'))
    await fireEvent.click(screen.getByLabelText('Compare run 20261127-093000-bb22'))
    await waitFor(() => expect(document.querySelector('[data-compared="2"]')).toBeTruthy())
    expect(api.runs.get).toHaveBeenCalledTimes(2)
    expect(
      document.querySelectorAll('tr[data-run="20261127-101500-aa11"] td').length
    ).toBeGreaterThan(0)
    const last = chart.syncs.at(-1)!
    expect(last).toEqual({
      ids: ['20261127-101500-aa11', '20261127-093000-bb22'],
      metric: 'accuracy',
      plain: true
    })
    await fireEvent.click(screen.getByLabelText('Loss'))
    await waitFor(() => expect(chart.syncs.at(-1)!.metric).toBe('loss'))
    // Unticking and ticking again reuses the fetched epochs.
    await fireEvent.click(screen.getByLabelText('Compare run 20261127-093000-bb22'))
    await fireEvent.click(screen.getByLabelText('Compare run 20261127-093000-bb22'))
    expect(api.runs.get).toHaveBeenCalledTimes(2)
    expect(chart.created).toBe(1)
    view.unmount()
    expect(chart.destroyed).toBe(1)
  })

  it('deletes a run only after a second, confirming click', async () => {
    const { api } = fakeApi()
    show(api)
    await fireEvent.click(await screen.findByLabelText('Delete run 20261127-101500-aa11'))
    expect(api.runs.delete).not.toHaveBeenCalled()
    await fireEvent.click(screen.getByText('Delete run?'))
    await waitFor(() => expect(screen.queryByText('2026-11-27 10:15:00')).toBeNull())
    expect(api.runs.delete).toHaveBeenCalledWith({ id: '20261127-101500-aa11' })
  })

  it('exports through the save dialog, for the current model and for a run', async () => {
    const { api } = fakeApi()
    show(api)
    await screen.findByText('/data/models/last')
    await fireEvent.click(screen.getByText('Export ONNX'))
    await screen.findByText(/Exported ONNX to/)
    expect(api.dialog.saveFile).toHaveBeenCalledWith(
      expect.objectContaining({
        defaultName: 'digit-model.onnx',
        filters: [{ name: 'ONNX model', extensions: ['onnx'] }]
      })
    )
    expect(api.model.export).toHaveBeenCalledWith({ format: 'onnx', out: '/home/me/digits.onnx' })
    expect(screen.getByText(/902\.2 kB/)).toBeTruthy()
    const runRow = within(screen.getByText('2026-11-27 10:15:00').closest('tr')!)
    await fireEvent.click(runRow.getByText('Keras'))
    await waitFor(() =>
      expect(api.model.export).toHaveBeenLastCalledWith({
        format: 'keras',
        out: '/home/me/digits.onnx',
        runId: '20261127-101500-aa11'
      })
    )
    // Cancelling the dialog exports nothing.
    api.dialog.saveFile.mockResolvedValueOnce({ path: null })
    await fireEvent.click(screen.getByText('Export TF.js'))
    await waitFor(() => expect(api.dialog.saveFile).toHaveBeenCalledTimes(3))
    expect(api.model.export).toHaveBeenCalledTimes(2)
  })

  it('imports a model folder and shows an import error as the engine worded it', async () => {
    const { api } = fakeApi()
    show(api)
    await fireEvent.click(await screen.findByText('Import TF.js model…'))
    await screen.findByText(/it is now the model for Classify/)
    expect(api.model.import).toHaveBeenCalledWith({ path: '/home/me/web-model' })
    expect(screen.getByText(/included: training continues where it stopped/)).toBeTruthy()
    api.model.import.mockRejectedValueOnce(
      Object.assign(
        new Error(
          'MODEL_INVALID: /x/model.json: input shape is [,32,32,1], expected [null,28,28,1]'
        ),
        { code: 'MODEL_INVALID' }
      )
    )
    await fireEvent.click(screen.getByText('Import TF.js model…'))
    const alert = await screen.findByRole('alert')
    expect(alert.textContent).toContain('input shape is [,32,32,1], expected [null,28,28,1]')
  })

  it('the current model card names a custom architecture instead of the form’s preset', async () => {
    const { api } = fakeApi()
    const metadata = {
      preset: 'seed',
      architecture: 'wide-gelu',
      runId: '20261127-101500-aa11',
      epochsCompleted: 3,
      hyperparameters: {
        epochs: 3,
        batchSize: 32,
        learningRate: 1e-3,
        validationSplit: 0.1,
        seed: 42,
        augment: false
      },
      dataset: { name: 'MNIST', source: 'embedded', train: 54000, test: 10000 },
      testAccuracy: 0.99,
      testLoss: 0.03,
      backend: 'wasm',
      appVersion: '0.1.0',
      date: '2026-11-27T10:20:00Z'
    } satisfies CurrentModelInfo['metadata']
    api.model.current.mockResolvedValue({ ...CURRENT, metadata })
    show(api)
    expect((await screen.findByTestId('current-architecture')).textContent).toBe(
      'wide-gelu (your own)'
    )
    const card = document.querySelector<HTMLElement>('dl[data-current-model]')!
    expect(within(card).queryByText('Preset')).toBeNull()
  })

  it('refreshes the list when a run finishes', async () => {
    const { api, emit } = fakeApi()
    show(api)
    await screen.findByText('2026-11-27 10:15:00')
    const before = api.runs.list.mock.calls.length
    emit({ type: 'training:done' } as IpcEvent)
    await waitFor(() => expect(api.runs.list.mock.calls.length).toBe(before + 1))
  })
})
