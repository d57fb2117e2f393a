// ClassifyState and the Classify view over a fake api: drops, picker, paste, speck size, errors.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import { renderView } from './render-view'
import ClassifyView from '../../src/renderer/src/components/classify/ClassifyView.svelte'
import { ClassifyState } from '../../src/renderer/src/lib/state/classify.svelte'
import { dataTransfer, fakeApi, png, text } from './classify-fake-api'

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
