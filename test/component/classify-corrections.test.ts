// Issue 16: every digit read can be corrected from the keyboard, and a correction changes the
// page's reading, the results table and the CSV; a new request starts from the model's reading.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { renderView } from './render-view'
import ClassifyView from '../../src/renderer/src/components/classify/ClassifyView.svelte'
import { ClassifyState, type ClassifyApi } from '../../src/renderer/src/lib/state/classify.svelte'
import type { ClassifyImagesParams, FileResult } from '#shared/protocol/classify'

const gray = (w: number, h: number) => ({
  width: w,
  height: h,
  channels: 1 as const,
  data: new Uint8Array(w * h)
})

/** A fake engine: each file "reads" as the digits in its name, all confidently. */
const api = {
  classify: {
    images: async (p: ClassifyImagesParams) => ({
      modelDir: '/models/last',
      modelSource: 'trained' as const,
      millis: 1,
      results: p.files.map((f): FileResult => {
        const digits = f.name.replace(/\D/g, '')
        const predictions = [...digits].map((d, i) => ({
          label: Number(d),
          confidence: 0.9,
          top3: [{ label: Number(d), probability: 0.9 }],
          lowConfidence: false,
          box: [i * 30, 0, 28, 28] as [number, number, number, number],
          line: 0,
          input: gray(28, 28)
        }))
        return {
          name: f.name,
          ok: true,
          format: 'png',
          digits,
          millis: 1,
          pages: [
            {
              page: 0,
              width: 300,
              height: 60,
              digits,
              predictions,
              inverted: true,
              threshold: 80
            }
          ]
        }
      })
    })
  }
} as unknown as ClassifyApi

/** A file whose bytes jsdom can read (its Blob has no arrayBuffer(); Chromium's has). */
function png(name: string): File {
  const file = new File([new Uint8Array([0x89])], name, { type: 'image/png' })
  return Object.assign(file, { arrayBuffer: async () => new Uint8Array([0x89]).buffer })
}

describe('corrections in the classify state', () => {
  it('a correction changes the reading and the CSV; undo and a new request restore the model', async () => {
    const state = new ClassifyState(api)
    await state.classifyFiles([png('s-314.png'), png('t-9.png')])
    state.correct({ file: 0, page: 0, digit: 1 }, 7)
    state.correct({ file: 1, page: 0, digit: 0 }, 9) // a confirmation: same as the model
    expect(state.current?.ok && state.current.digits).toBe('374')
    expect(state.readings.map((r) => r.ok && r.digits)).toEqual(['374', '9'])
    // The engine's answer is kept as it came.
    expect(state.results[0].ok && state.results[0].digits).toBe('314')
    const rows = state.csv().split('\r\n')
    expect(rows[1]).toBe('s-314.png,1,ok,374,0.900 0.900 0.900,0,,2')
    expect(rows[2]).toBe('t-9.png,1,ok,9,0.900,0,,')
    state.correct({ file: 0, page: 0, digit: 1 }, 12) // not a digit: ignored
    expect(state.current?.ok && state.current.digits).toBe('374')
    state.undoCorrection({ file: 0, page: 0, digit: 1 })
    expect(state.current?.ok && state.current.digits).toBe('314')
    state.correct({ file: 0, page: 0, digit: 0 }, 8)
    await state.classifyFiles([png('s-314.png')])
    expect(state.corrections.size).toBe(0)
    expect(state.current?.ok && state.current.digits).toBe('314')
  })
})

describe('correcting in the Classify view', () => {
  it('focus a digit and type: the reading, the table and the CSV change; Enter confirms, Escape undoes', async () => {
    const { app } = renderView(ClassifyView, api)
    await app.classify.classifyFiles([png('scan-2718.png'), png('other-9.png')])
    await waitFor(() => expect(screen.getByLabelText('Digits read').textContent).toBe('2718'))
    const second = screen.getByRole('textbox', { name: /^Digit 2 read as 7:/ })
    second.focus()
    await fireEvent.keyDown(second, { key: '1' })
    await waitFor(() => expect(screen.getByLabelText('Digits read').textContent).toBe('2118'))
    // The digit keeps the focus, so the next key goes to it (Escape undoes).
    expect(document.activeElement).toBe(second)
    const card = second.closest('li')!
    expect(card.classList.contains('corrected')).toBe(true)
    expect(within(card).getByText('was 7')).toBeTruthy()
    expect(
      screen.getByRole('textbox', { name: /^Digit 2 read as 1 \(corrected, the model read 7\)/ })
    ).toBeTruthy()
    expect(screen.getByRole('table').textContent).toContain('2118')
    expect(app.classify.csv().split('\r\n')[1]).toMatch(/^scan-2718\.png,1,ok,2118,.*,2$/)

    const first = screen.getByRole('textbox', { name: /^Digit 1 read as 2:/ })
    await fireEvent.keyDown(first, { key: 'Enter' })
    await waitFor(() => expect(screen.getByText('✓ confirmed')).toBeTruthy())
    expect(screen.getByText('2 digits checked by you')).toBeTruthy()

    await fireEvent.keyDown(screen.getByRole('textbox', { name: /^Digit 2 read as 1/ }), {
      key: 'Escape'
    })
    await waitFor(() => expect(screen.getByLabelText('Digits read').textContent).toBe('2718'))
    // The mouse path: "Right" confirms a digit as read.
    await fireEvent.click(screen.getByRole('button', { name: 'Confirm digit 3 is 1' }))
    await waitFor(() => expect(screen.getAllByText('✓ confirmed')).toHaveLength(2))
  })
})
