// The gallery's source switch (MNIST test set, My digits, the dataset panel's folder) and the
// empty My digits state, over a fake api that answers each source from its own predictions.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import type { GallerySource } from '#shared/protocol/gallery'
import type { PredictionsPageParams, TestPrediction } from '#shared/protocol/predictions'
import GalleryView from '../../src/renderer/src/components/gallery/GalleryView.svelte'
import { renderView } from './render-view'
import { createFakeApi, makePredictions, pageOf, type FakeApi } from './training-fake-api'

/** A few predictions named like the engine names a source's files (`<label>/<file>`). */
function named(count: number, prefix: string): TestPrediction[] {
  return makePredictions(count).map((p) => ({
    ...p,
    name: `${p.trueLabel}/${prefix}${p.index}.png`
  }))
}

/** The fake, answering `predictions:page` by source; returns the sources asked for, in order. */
function fakeWithSources(bySource: Record<string, TestPrediction[]>): FakeApi & {
  asked: () => string[]
} {
  const fake = createFakeApi(makePredictions(400))
  const key = (s?: GallerySource): string =>
    !s || s.kind === 'mnist' ? 'mnist' : s.kind === 'folder' ? `folder:${s.path}` : s.kind
  fake.calls['predictions:page'].mockImplementation(async (params: PredictionsPageParams) =>
    pageOf(bySource[key(params.source)] ?? makePredictions(400), params)
  )
  const asked = (): string[] =>
    fake.calls['predictions:page'].mock.calls.map((c) =>
      key((c[0] as PredictionsPageParams).source)
    )
  return { ...fake, asked }
}

const tiles = (c: HTMLElement): HTMLElement[] => [...c.querySelectorAll<HTMLElement>('.tile')]

describe('gallery source switch', () => {
  it('switches to My digits: its tiles, named by file, with the same filters and detail dialog', async () => {
    const fake = fakeWithSources({ 'my-digits': named(12, 'mine') })
    const { app, container } = renderView(GalleryView, fake.api)
    await waitFor(() => expect(tiles(container).length).toBeGreaterThan(12))
    expect(screen.getByRole('heading', { name: 'Test predictions' })).toBeTruthy()

    await fireEvent.change(container.querySelector('select[name="source"]')!, {
      target: { value: 'my-digits' }
    })
    await waitFor(() => expect(tiles(container)).toHaveLength(12))
    expect(fake.asked().at(-1)).toBe('my-digits')
    expect(screen.getByRole('heading', { name: 'Predictions on My digits' })).toBeTruthy()
    expect(screen.getByRole('grid', { name: 'Predictions on My digits' })).toBeTruthy()
    expect(tiles(container)[0].getAttribute('aria-label')).toMatch(/^0\/mine0\.png: predicted/)
    expect(screen.getByRole('option', { name: 'Oldest first' })).toBeTruthy()

    // The filter applies to the new source, which stays chosen.
    await fireEvent.change(container.querySelector('select[name="filter"]')!, {
      target: { value: 'misclassified' }
    })
    await waitFor(() => expect(tiles(container)).toHaveLength(2))
    expect(fake.asked().at(-1)).toBe('my-digits')
    expect(tiles(container).every((t) => t.dataset.true !== t.dataset.predicted)).toBe(true)

    await fireEvent.click(tiles(container)[0])
    const dialog = await screen.findByRole('dialog', { name: '3/mine3.png' })
    expect(dialog.querySelectorAll('.probs li')).toHaveLength(10)
    expect(app.gallery.source).toEqual({ kind: 'my-digits' })
  })

  it("offers the dataset panel's folder, and the confusion matrix goes back to the test set", async () => {
    const fake = fakeWithSources({ 'folder:/data/hand': named(5, 'h') })
    const { app, container } = renderView(GalleryView, fake.api)
    const options = (): string[] =>
      [...container.querySelectorAll('select[name="source"] option')].map((o) => o.textContent!)
    await waitFor(() => expect(tiles(container).length).toBeGreaterThan(0))
    expect(options()).toEqual(['MNIST test set', 'My digits'])

    app.dataset.source = { kind: 'folder', path: '/data/hand' }
    await waitFor(() => expect(options()).toEqual(['MNIST test set', 'My digits', 'Folder hand']))
    await fireEvent.change(container.querySelector('select[name="source"]')!, {
      target: { value: 'folder:/data/hand' }
    })
    await waitFor(() => expect(tiles(container)).toHaveLength(5))
    expect(fake.asked().at(-1)).toBe('folder:/data/hand')
    expect(screen.getByRole('option', { name: 'File order' })).toBeTruthy()

    // A confusion-matrix cell (TrainingView) shows MNIST test digits, whatever the source was.
    await app.gallery.setFilter({ kind: 'pair', trueLabel: 3, predicted: 4 }, { kind: 'mnist' })
    expect(fake.asked().at(-1)).toBe('mnist')
    expect(app.gallery.source).toEqual({ kind: 'mnist' })
  })

  it('reloads My digits on digits:changed, and not the test set', async () => {
    const mine = named(2, 'm')
    const fake = fakeWithSources({ 'my-digits': mine })
    const { app, container } = renderView(GalleryView, fake.api)
    const off = app.gallery.connect()
    await waitFor(() => expect(tiles(container).length).toBeGreaterThan(0))
    const before = fake.asked().length
    fake.emit({ type: 'digits:changed' })
    expect(fake.asked()).toHaveLength(before)

    await app.gallery.setSource({ kind: 'my-digits' })
    await waitFor(() => expect(tiles(container)).toHaveLength(2))
    mine.push(...named(3, 'n').slice(2))
    fake.emit({ type: 'digits:changed' })
    await waitFor(() => expect(tiles(container)).toHaveLength(3))
    off()
  })
})

describe('empty My digits', () => {
  it('says how to add digits, and Classify is one click away', async () => {
    const fake = fakeWithSources({ 'my-digits': [] })
    const { app, container } = renderView(GalleryView, fake.api)
    await waitFor(() => expect(tiles(container).length).toBeGreaterThan(0))
    expect(screen.queryByTestId('my-digits-empty')).toBeNull()

    await app.gallery.setSource({ kind: 'my-digits' })
    const empty = await screen.findByTestId('my-digits-empty')
    expect(empty.textContent).toMatch(/My digits is empty/)
    expect(empty.textContent).toMatch(/Add to My digits/)
    expect(empty.textContent).toMatch(/digit-studio digits add FILE --label N/)
    expect(screen.queryByText(/No digits match this filter/)).toBeNull()
    await fireEvent.click(screen.getByRole('button', { name: 'Classify' }))
    expect(app.navigation.view).toBe('classify')
  })

  it('a filter that matches none of several kept digits is not called empty', async () => {
    const fake = fakeWithSources({
      'my-digits': named(3, 'ok').map((p) => ({ ...p, predicted: p.trueLabel }))
    })
    const { app } = renderView(GalleryView, fake.api)
    app.digits.list = {
      dir: '/h/my-digits',
      total: 3,
      counts: [1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
      fewExamples: [],
      items: []
    }
    await app.gallery.setFilter({ kind: 'misclassified' }, { kind: 'my-digits' })
    expect(await screen.findByText('No digits match this filter.')).toBeTruthy()
    expect(screen.queryByTestId('my-digits-empty')).toBeNull()
  })
})
