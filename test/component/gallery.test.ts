// GalleryState (paging, filters, stale answers) and the Gallery view over a fake api.
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import { renderView } from './render-view'
import GalleryView from '../../src/renderer/src/components/gallery/GalleryView.svelte'
import { GalleryState, PAGE_SIZE } from '../../src/renderer/src/lib/state/gallery.svelte'
import { createFakeApi, makePredictions } from './training-fake-api'

describe('GalleryState', () => {
  it('fetches only the pages it is asked for, never everything', async () => {
    const fake = createFakeApi(makePredictions(10_000))
    const gallery = new GalleryState(fake.api)
    await gallery.refresh()
    expect(gallery.total).toBe(10_000)
    expect(fake.calls['predictions:page']).toHaveBeenCalledTimes(1)
    expect(gallery.item(0)?.index).toBe(0)
    expect(gallery.item(PAGE_SIZE)).toBeUndefined()
    gallery.ensureRange(PAGE_SIZE * 3 + 5, PAGE_SIZE * 3 + 50)
    await waitFor(() => expect(gallery.item(PAGE_SIZE * 3 + 5)?.index).toBe(PAGE_SIZE * 3 + 5))
    const limits = fake.calls['predictions:page'].mock.calls.map(
      (c) => (c[0] as { limit: number }).limit
    )
    expect(Math.max(...limits)).toBeLessThanOrEqual(PAGE_SIZE)
    expect(fake.calls['predictions:page']).toHaveBeenCalledTimes(2)
  })

  it('filters misclassified digits and sorts least sure first', async () => {
    const fake = createFakeApi(makePredictions(500))
    const gallery = new GalleryState(fake.api)
    await gallery.setFilter({ kind: 'misclassified' })
    const items = gallery.pages.get(0)!
    expect(items.length).toBeGreaterThan(0)
    expect(items.every((p) => p.predicted !== p.trueLabel)).toBe(true)
    await gallery.setSort('confidence')
    const sorted = gallery.pages.get(0)!.map((p) => p.confidence)
    expect(sorted).toEqual([...sorted].sort((a, b) => a - b))
  })

  it('drops a slow answer that belongs to an older filter', async () => {
    const fake = createFakeApi(makePredictions(100))
    let release: () => void = () => {}
    fake.calls['predictions:page'].mockImplementationOnce(
      () =>
        new Promise(
          (resolve) =>
            (release = () => resolve({ total: 100, offset: 0, items: makePredictions(100) }))
        )
    )
    const gallery = new GalleryState(fake.api)
    const first = gallery.refresh()
    await gallery.setFilter({ kind: 'pair', trueLabel: 3, predicted: 4 })
    release()
    await first
    expect(gallery.filter).toEqual({ kind: 'pair', trueLabel: 3, predicted: 4 })
    expect(gallery.pages.get(0)!.every((p) => p.trueLabel === 3 && p.predicted === 4)).toBe(true)
  })

  it('says there is no model instead of showing an error', async () => {
    const gallery = new GalleryState(createFakeApi([]).api)
    await gallery.refresh()
    expect(gallery.noModel).toBe(true)
    expect(gallery.error).toBeNull()
  })
})

describe('GalleryView', () => {
  it('renders only the visible tiles with predicted/true labels and confidence', async () => {
    const fake = createFakeApi(makePredictions(10_000))
    const { container } = renderView(GalleryView, fake.api)
    await waitFor(() => expect(container.querySelectorAll('.tile').length).toBeGreaterThan(0))
    const tiles = container.querySelectorAll('.tile')
    expect(tiles.length).toBeLessThan(300)
    expect(screen.getByTestId('gallery-count').textContent).toMatch(/10,000/)
    const wrong = container.querySelector<HTMLElement>('.tile.wrong')!
    expect(wrong.textContent).toContain('≠')
  })

  it('shows only misclassified digits under that filter', async () => {
    const { app, container } = renderView(GalleryView, createFakeApi(makePredictions(400)).api)
    const { gallery } = app
    await waitFor(() => expect(container.querySelectorAll('.tile').length).toBeGreaterThan(0))
    await fireEvent.change(container.querySelector('select[name="filter"]')!, {
      target: { value: 'misclassified' }
    })
    await waitFor(() => expect(gallery.filter.kind).toBe('misclassified'))
    await waitFor(() => expect(container.querySelectorAll('.tile').length).toBeGreaterThan(0))
    const tiles = [...container.querySelectorAll<HTMLElement>('.tile')]
    expect(tiles.every((t) => t.dataset.true !== t.dataset.predicted)).toBe(true)
  })

  it('opens an enlarged view with ten probability bars, closed by Escape', async () => {
    const { container } = renderView(GalleryView, createFakeApi(makePredictions(50)).api)
    await waitFor(() => expect(container.querySelectorAll('.tile').length).toBeGreaterThan(0))
    await fireEvent.click(container.querySelector('.tile')!)
    const dialog = await screen.findByRole('dialog')
    expect(dialog.querySelectorAll('.probs li')).toHaveLength(10)
    expect(dialog.textContent).toMatch(/Test image #0/)
    await fireEvent.keyDown(dialog, { key: 'Escape' })
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
  })

  it('invites the user to train when there is no model', async () => {
    renderView(GalleryView, createFakeApi([]).api)
    expect(await screen.findByText(/No trained model yet/)).toBeTruthy()
  })
})
