// The My digits view and Classify's "Add to My digits" over a scripted api: counts per label with
// the few-examples warning, relabel and delete reach the engine with the digit's name, export asks
// for a folder, a fine-tune starts from the current model with My digits added, and its done event
// shows before/after side by side.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import MyDigitsView from '../../src/renderer/src/components/digits/MyDigitsView.svelte'
import AddToMyDigits from '../../src/renderer/src/components/classify/AddToMyDigits.svelte'
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
  it('adds a corrected digit with its box, page and the label the user gave it', async () => {
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
      line: 0,
      box: [x, 0, 10, 10] as [number, number, number, number]
    })
    const app = createAppState(api as unknown as RendererApi)
    app.classify.files = [file]
    const { render } = await import('@testing-library/svelte')
    const { appStateContext } = await import('../../src/renderer/src/lib/state/app-state')
    // What DigitBreakdown renders beside a digit the user corrected from 5 to 6.
    render(AddToMyDigits, {
      props: { digit: pred(6, 20), fileIndex: 0, source: 'sheet.png', page: 0 },
      context: appStateContext(app)
    })
    await fireEvent.click(screen.getByRole('button', { name: 'Add this 6 to My digits' }))
    await waitFor(() =>
      expect(api.digits.add).toHaveBeenCalledWith({
        label: 6,
        file: { name: 'sheet.png', bytes: new Uint8Array([1, 2, 3]) },
        box: [20, 0, 10, 10],
        page: 0
      })
    )
  })

  it('offers nothing when the file is no longer held', async () => {
    const app = createAppState(fakeApi([]) as unknown as RendererApi)
    const { render } = await import('@testing-library/svelte')
    const { appStateContext } = await import('../../src/renderer/src/lib/state/app-state')
    render(AddToMyDigits, {
      props: {
        digit: {
          label: 1,
          confidence: 1,
          top3: [],
          lowConfidence: false,
          line: 0,
          box: [0, 0, 1, 1]
        },
        fileIndex: 3,
        source: 'gone.png',
        page: 0
      },
      context: appStateContext(app)
    })
    expect(screen.queryByRole('button')).toBeNull()
  })
})
