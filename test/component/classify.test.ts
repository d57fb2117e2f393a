// ClassifyState and the Classify view over a fake api: drops, picker, paste, speck size, table, CSV.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import { renderView } from './render-view'
import ClassifyView from '../../src/renderer/src/components/classify/ClassifyView.svelte'
import { resultsToCsv } from '../../src/renderer/src/lib/image/csv'
import { ClassifyState, type ClassifyApi } from '../../src/renderer/src/lib/state/classify.svelte'
import type {
  ClassifyImagesParams,
  ClassifyImagesResult,
  FileResult
} from '#shared/protocol/classify'

// jsdom's Blob has no arrayBuffer(); Chromium and Electron do. FileReader reads the same bytes.
if (!('arrayBuffer' in Blob.prototype)) {
  Object.defineProperty(Blob.prototype, 'arrayBuffer', {
    configurable: true,
    writable: true,
    value(this: Blob): Promise<ArrayBuffer> {
      return new Promise((resolve, reject) => {
        const reader = new FileReader()
        reader.onload = () => resolve(reader.result as ArrayBuffer)
        reader.onerror = () => reject(reader.error)
        reader.readAsArrayBuffer(this)
      })
    }
  })
}

const gray = (w: number, h: number) => ({
  width: w,
  height: h,
  channels: 1 as const,
  data: new Uint8Array(w * h)
})

/** A fake engine: every file whose first byte is 0x89 "reads" as the digits in its name. */
function fakeApi(impl?: (p: ClassifyImagesParams) => Promise<ClassifyImagesResult>) {
  const images = vi.fn(
    impl ??
      (async (p: ClassifyImagesParams): Promise<ClassifyImagesResult> => ({
        modelDir: '/models/last',
        modelSource: 'trained',
        millis: 5,
        results: p.files.map((f): FileResult => {
          if (f.bytes[0] !== 0x89)
            return {
              name: f.name,
              ok: false,
              error: {
                name: 'EngineError',
                code: 'IMAGE_UNSUPPORTED',
                message: `${f.name}: a text file`
              }
            }
          const digits = f.name.replace(/\D/g, '') || '7'
          const predictions = [...digits].map((d, i) => ({
            label: Number(d),
            confidence: i === 0 ? 0.55 : 0.97,
            top3: [
              { label: Number(d), probability: i === 0 ? 0.55 : 0.97 },
              { label: 1, probability: 0.02 },
              { label: 2, probability: 0.01 }
            ],
            lowConfidence: i === 0,
            box: [i * 30, 0, 28, 28] as [number, number, number, number],
            line: 0,
            mask: gray(20, 28),
            input: gray(28, 28)
          }))
          return {
            name: f.name,
            ok: true,
            format: 'png',
            digits,
            millis: 3,
            pages: [
              {
                page: 0,
                width: 300,
                height: 60,
                digits,
                predictions,
                inverted: true,
                threshold: 80,
                thumbnail: {
                  width: 300,
                  height: 60,
                  channels: 4,
                  data: new Uint8Array(300 * 60 * 4)
                },
                mask: gray(300, 60)
              }
            ]
          }
        })
      }))
  )
  return { api: { classify: { images } } as unknown as ClassifyApi, images }
}

const png = (name: string): File =>
  new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], name, { type: 'image/png' })
const text = (name: string): File => new File(['hello'], name, { type: 'image/png' })

/** jsdom has no DataTransfer; the view only reads `files`, `items` and `types`. */
function dataTransfer(files: File[]): DataTransfer {
  return { files, items: [], types: ['Files'], dropEffect: 'none' } as unknown as DataTransfer
}

describe('ClassifyState', () => {
  it('sends bytes, keeps file order, and reports a bad file without stopping the others', async () => {
    const fake = fakeApi()
    const state = new ClassifyState(fake.api)
    await state.classifyFiles([png('a-314.png'), text('notes.png'), png('b-42.png')])
    const sent = fake.images.mock.calls[0][0]
    expect(sent.files.map((f) => f.name)).toEqual(['a-314.png', 'notes.png', 'b-42.png'])
    expect(sent.files[0].bytes).toBeInstanceOf(Uint8Array)
    expect(state.results.map((r) => (r.ok ? r.digits : 'error'))).toEqual(['314', 'error', '42'])
    expect(state.lastMillis).not.toBeNull()
  })

  it('refuses an over-size file before reading it', async () => {
    const fake = fakeApi()
    const state = new ClassifyState(fake.api)
    const huge = png('huge.png')
    Object.defineProperty(huge, 'size', { value: 60 * 1024 * 1024 })
    const read = vi.spyOn(huge, 'arrayBuffer')
    await state.classifyFiles([huge, png('ok-1.png')])
    expect(read).not.toHaveBeenCalled()
    expect(state.results[0]).toMatchObject({
      ok: false,
      // The same wording as the engine's and the CLI's (imageTooLargeMessage, one place).
      error: {
        code: 'IMAGE_TOO_LARGE',
        message: 'huge.png: 60.0 MB is over the 50.0 MB limit for one image'
      }
    })
    expect(fake.images.mock.calls[0][0].files.map((f) => f.name)).toEqual(['ok-1.png'])
  })

  it('a new speck size classifies the same files again with it', async () => {
    const fake = fakeApi()
    const state = new ClassifyState(fake.api)
    await state.classifyFiles([png('x-5.png')])
    await state.setMinSpeckArea(120)
    expect(fake.images).toHaveBeenCalledTimes(2)
    expect(fake.images.mock.calls[1][0].options?.minSpeckArea).toBe(120)
  })

  it('NO_MODEL is shown as "train one first"', async () => {
    const fake = fakeApi(async () => {
      throw Object.assign(new Error('no trained model found'), { code: 'NO_MODEL' })
    })
    const state = new ClassifyState(fake.api)
    await state.classifyFiles([png('x.png')])
    expect(state.noModel).toBe(true)
  })
})

describe('CSV', () => {
  it('one row per file, quotes escaped, formulas neutralised', () => {
    const csv = resultsToCsv([
      {
        name: 'a "b".png',
        ok: true,
        format: 'png',
        digits: '31',
        millis: 1,
        pages: [
          {
            page: 0,
            width: 1,
            height: 1,
            digits: '31',
            inverted: true,
            threshold: 1,
            predictions: [
              {
                label: 3,
                confidence: 0.9,
                top3: [],
                lowConfidence: false,
                box: [0, 0, 1, 1],
                line: 0
              },
              {
                label: 1,
                confidence: 0.5,
                top3: [],
                lowConfidence: true,
                box: [0, 0, 1, 1],
                line: 0
              }
            ]
          }
        ]
      },
      {
        name: '=cmd.png',
        ok: false,
        error: { name: 'EngineError', code: 'IMAGE_INVALID', message: 'x: broken, badly' }
      }
    ])
    expect(csv.split('\r\n')).toEqual([
      'file,page,status,digits,confidences,low_confidence,error,corrected',
      '"a ""b"".png",1,ok,31,0.900 0.500,1,,',
      `'=cmd.png,,error,,,,"IMAGE_INVALID: x: broken, badly",`,
      ''
    ])
  })

  it('a multi-page file gives one row per page, numbered from 1', () => {
    const page = (n: number, digits: string) => ({
      page: n,
      width: 1,
      height: 1,
      digits,
      inverted: true,
      threshold: 1,
      predictions: [...digits].map((d) => ({
        label: Number(d),
        confidence: 0.95,
        top3: [],
        lowConfidence: false,
        box: [0, 0, 1, 1] as [number, number, number, number],
        line: 0
      }))
    })
    const csv = resultsToCsv([
      {
        name: 'sheets.pdf',
        ok: true,
        format: 'pdf',
        digits: '12 7',
        millis: 1,
        pages: [page(0, '12'), page(1, ''), page(2, '7')]
      }
    ])
    expect(csv.split('\r\n')).toEqual([
      'file,page,status,digits,confidences,low_confidence,error,corrected',
      'sheets.pdf,1,ok,12,0.950 0.950,0,,',
      'sheets.pdf,2,ok,,,0,,',
      'sheets.pdf,3,ok,7,0.950,0,,',
      ''
    ])
    // A correction on page 3 changes that page's digits and names the position it changed.
    const corrected = resultsToCsv(
      [
        {
          name: 'sheets.pdf',
          ok: true,
          format: 'pdf',
          digits: '12 7',
          millis: 1,
          pages: [page(0, '12'), page(1, ''), page(2, '7')]
        }
      ],
      new Map([
        ['0/2/0', 1],
        ['0/0/1', 2]
      ])
    )
    expect(corrected.split('\r\n').slice(1, 4)).toEqual([
      'sheets.pdf,1,ok,12,0.950 0.950,0,,',
      'sheets.pdf,2,ok,,,0,,',
      'sheets.pdf,3,ok,1,0.950,0,,1'
    ])
  })
})

describe('ClassifyView', () => {
  it('a drop anywhere on the window shows the digits, the boxes, the steps and the table', async () => {
    const fake = fakeApi()
    renderView(ClassifyView, fake.api)
    const dt = dataTransfer([png('scan-2718.png'), png('other-9.png')])
    await fireEvent.dragOver(window, { dataTransfer: dt })
    await fireEvent.drop(window, { dataTransfer: dt })
    await waitFor(() => expect(screen.getByLabelText('Digits read').textContent).toBe('2718'))
    expect(screen.getAllByRole('img', { name: /28x28 input of digit/ })).toHaveLength(4)
    expect(screen.getAllByRole('img', { name: /Mask of digit/ })).toHaveLength(4)
    expect(screen.getAllByText('low confidence')).toHaveLength(1)
    expect(screen.getAllByRole('list', { name: 'Top 3 probabilities' })).toHaveLength(4)
    // Two files: the table lists both; a click shows the other one.
    expect(screen.getByRole('table')).toBeTruthy()
    await fireEvent.click(screen.getByRole('button', { name: 'other-9.png' }))
    await waitFor(() => expect(screen.getByLabelText('Digits read').textContent).toBe('9'))
    expect(screen.getByRole('button', { name: 'Save as CSV' })).toBeTruthy()
  })

  it('paste of an image classifies it; paste into a text field is left alone', async () => {
    const fake = fakeApi()
    renderView(ClassifyView, fake.api)
    const input = screen.getByRole('spinbutton')
    const paste = (target: Element, files: File[]) =>
      fireEvent(
        target,
        Object.assign(new Event('paste', { bubbles: true, cancelable: true }), {
          clipboardData: dataTransfer(files)
        })
      )
    await paste(input, [png('image.png')])
    expect(fake.images).not.toHaveBeenCalled()
    await paste(document.body, [png('image.png')])
    await waitFor(() => expect(fake.images).toHaveBeenCalledTimes(1))
    expect(fake.images.mock.calls[0][0].files[0].name).toBe('pasted-1.png')
  })

  it('per-file errors are shown with the file name; no model says how to get one', async () => {
    const fake = fakeApi()
    const { classify: state } = renderView(ClassifyView, fake.api).app
    await state.classifyFiles([text('notes.png')])
    await waitFor(() =>
      expect(screen.getByRole('alert').textContent).toContain('notes.png: a text file')
    )
    const none = fakeApi(async () => {
      throw Object.assign(new Error('NO_MODEL: no trained model'), { code: 'NO_MODEL' })
    })
    const { classify: state2 } = renderView(ClassifyView, none.api).app
    await state2.classifyFiles([png('x.png')])
    await waitFor(() =>
      expect(screen.getAllByRole('alert').some((a) => /train one/.test(a.textContent ?? ''))).toBe(
        true
      )
    )
  })
})
