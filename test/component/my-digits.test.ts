// The My digits view and Classify's "Add to My digits" over a scripted api: counts per label with
// the few-examples warning, relabel and delete reach the engine with the digit's name, export asks
// for a folder, a fine-tune starts from the current model with My digits added, and its done event
// shows before/after side by side.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import MyDigitsView from '../../src/renderer/src/components/digits/MyDigitsView.svelte'
import AddToMyDigits from '../../src/renderer/src/components/digits/AddToMyDigits.svelte'
import { renderView } from './render-view'
import type { IpcEvent } from '#shared/ipc-contract'
import type { DigitsList, MyDigit } from '#shared/protocol/digits'
import type { CurrentModelInfo } from '#shared/protocol/models'
import { createAppState } from '../../src/renderer/src/lib/state/app-state'
import type { RendererApi } from '#shared/ipc-contract'

const digit = (name: string, label: number): MyDigit => ({
  name,
  label,
  source: 'sheet.png',
  added: '2026-12-03T13:00:00.000Z',
  history: [{ label, date: '2026-12-03T13:00:00.000Z' }],
  input: new Uint8Array(784)
})

function fakeApi(items: MyDigit[]) {
  const listeners = new Map<string, ((e: IpcEvent) => void)[]>()
  const list = (): DigitsList => {
    const counts = new Array<number>(10).fill(0)
    for (const d of items) counts[d.label]++
    return {
      dir: '/home/u/.config/Digit Studio/my-digits',
      total: items.length,
      counts,
      fewExamples: counts.flatMap((n, l) => (n < 5 ? [l] : [])),
      items
    }
  }
  const api = {
    digits: {
      list: vi.fn(async () => list()),
      add: vi.fn(async () => digit('new.png', 3)),
      delete: vi.fn(async () => ({ deleted: 1 })),
      relabel: vi.fn(async () => digit('a.png', 4)),
      export: vi.fn(async () => ({ images: '/out/i', labels: '/out/l', count: items.length }))
    },
    dialog: { openFolder: vi.fn(async () => ({ path: '/out' })) },
    training: { start: vi.fn(async () => ({ runId: 'r2' })) },
    model: { current: vi.fn(async () => null) },
    on: (type: string, cb: (e: IpcEvent) => void) => {
      listeners.set(type, [...(listeners.get(type) ?? []), cb])
      return () => undefined
    },
    emit: (e: IpcEvent) => listeners.get(e.type)?.forEach((cb) => cb(e))
  }
  return api
}

describe('My digits view', () => {
  it('shows counts, the few-examples warning, and sends relabel, delete and export', async () => {
    const api = fakeApi([digit('a.png', 7), digit('b.png', 7), digit('c.png', 1)])
    const { app } = renderView(MyDigitsView, api)
    await app.digits.refresh()
    await screen.findByText(/3 digits kept in/)
    expect(screen.getByRole('status').textContent).toMatch(/Few examples \(under 5\) for 0, 1, 2/)
    expect(screen.getByRole('heading', { name: '7 (2)' })).toBeTruthy()
    const select = screen.getByLabelText('Label of a.png') as HTMLSelectElement
    await fireEvent.change(select, { target: { value: '4' } })
    expect(api.digits.relabel).toHaveBeenCalledWith({ name: 'a.png', label: 4 })
    await fireEvent.click(screen.getByRole('button', { name: 'Delete c.png' }))
    expect(api.digits.delete).toHaveBeenCalledWith({ names: ['c.png'] })
    await fireEvent.click(screen.getByRole('button', { name: 'Export IDX…' }))
    await waitFor(() => expect(api.digits.export).toHaveBeenCalledWith({ out: '/out' }))
  })

  it('fine-tunes the current model on My digits and shows before/after side by side', async () => {
    const api = fakeApi([digit('a.png', 7), digit('b.png', 2)])
    const app = createAppState(api as unknown as RendererApi)
    app.exports.setCurrent({ modelDir: '/home/u/models/last' } as CurrentModelInfo)
    renderView(MyDigitsView, api, app)
    await app.digits.refresh()
    const button = await screen.findByRole('button', { name: 'Fine-tune current model' })
    await fireEvent.click(button)
    expect(api.training.start).toHaveBeenCalledWith(
      expect.objectContaining({
        epochs: 1,
        learningRate: 0.00025,
        fromModel: '/home/u/models/last',
        addImages: '/home/u/.config/Digit Studio/my-digits'
      })
    )
    app.digits.noteDone({
      type: 'training:done',
      runId: 'r2',
      testAccuracy: 0.9933,
      testAccuracyBefore: 0.9899,
      heldOutAccuracyBefore: 0.5,
      heldOutAccuracyAfter: 1,
      heldOutCount: 1,
      addedImages: 2,
      skippedImages: 0
    } as never)
    const table = await screen.findByRole('table')
    expect(table.textContent).toMatch(/Held-out My digits \(1\)\s*50\.0 %\s*100\.0 %/)
    expect(table.textContent).toMatch(/MNIST test set\s*99\.0 %\s*99\.3 %/)
  })
})

describe('Add to My digits (Classify)', () => {
  it('adds the chosen digit of the file with its box, page and the label the user picked', async () => {
    const api = fakeApi([])
    // jsdom's File has no arrayBuffer(); Chromium's does (the e2e harness uses the real one).
    const file = Object.assign(new File([new Uint8Array([1, 2, 3])], 'sheet.png'), {
      arrayBuffer: async () => new Uint8Array([1, 2, 3]).buffer
    })
    const pred = (label: number, x: number) => ({
      label,
      confidence: 0.9,
      top3: [],
      lowConfidence: false,
      box: [x, 0, 10, 10] as [number, number, number, number]
    })
    const result = {
      name: 'sheet.png',
      ok: true as const,
      format: 'png',
      digits: '35',
      millis: 1,
      pages: [
        {
          page: 0,
          width: 40,
          height: 10,
          digits: '35',
          predictions: [pred(3, 0), pred(5, 20)],
          inverted: true,
          threshold: 1
        }
      ]
    }
    const app = createAppState(api as unknown as RendererApi)
    const { render } = await import('@testing-library/svelte')
    const { appStateContext } = await import('../../src/renderer/src/lib/state/app-state')
    render(AddToMyDigits, { props: { result, file }, context: appStateContext(app) })
    await fireEvent.change(screen.getByLabelText('Digit'), { target: { value: '1' } })
    // The label follows the digit's reading (5) until the user corrects it.
    expect((screen.getByLabelText('is a') as HTMLSelectElement).value).toBe('5')
    await fireEvent.change(screen.getByLabelText('is a'), { target: { value: '6' } })
    await fireEvent.click(screen.getByRole('button', { name: 'Add to My digits' }))
    await waitFor(() =>
      expect(api.digits.add).toHaveBeenCalledWith({
        label: 6,
        file: { name: 'sheet.png', bytes: new Uint8Array([1, 2, 3]) },
        box: [20, 0, 10, 10],
        page: 0
      })
    )
  })
})

describe('Dataset panel with a labelled folder', () => {
  it('lists the images the engine skipped, each with its reason', async () => {
    const DatasetPanel = (
      await import('../../src/renderer/src/components/training/DatasetPanel.svelte')
    ).default
    const { render } = await import('@testing-library/svelte')
    const { DatasetState } = await import('../../src/renderer/src/lib/state/dataset.svelte')
    const { TrainConfigState } =
      await import('../../src/renderer/src/lib/state/train-config.svelte')
    const api = {
      dataset: {
        describe: vi.fn(async () => ({
          name: 'labelled folder (mine)',
          source: '/data/mine',
          embedded: false,
          train: 17,
          test: 3,
          skipped: [
            { file: '3/blank.png', reason: 'no digit found (blank, or ink too faint)' },
            {
              file: 'cats/',
              reason: 'folder name "cats" is not a digit 0-9: its images are not used'
            }
          ]
        }))
      },
      dialog: { openFolder: vi.fn(async () => ({ path: '/data/mine' })) }
    }
    const dataset = new DatasetState(api as unknown as RendererApi)
    const config = new TrainConfigState(api as unknown as RendererApi)
    render(DatasetPanel, { props: { dataset, config } })
    await fireEvent.click(screen.getByRole('button', { name: 'Folder…' }))
    await screen.findByText('labelled folder (mine)')
    expect(screen.getByText('2 images skipped')).toBeTruthy()
    const items = screen.getByRole('list', { name: 'Skipped images' }).textContent
    expect(items).toMatch(/3\/blank.png: no digit found/)
    expect(items).toMatch(/cats\/: folder name "cats" is not a digit/)
  })
})
