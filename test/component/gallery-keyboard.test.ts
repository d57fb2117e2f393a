// Keyboard access to the gallery: arrow-key movement over the virtualised grid (roving tabindex)
// and the detail dialog as a modal (focus in on open, back to the tile on close, Tab wraps).
import { fireEvent, screen, waitFor } from '@testing-library/svelte'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { renderView } from './render-view'
import GalleryView from '../../src/renderer/src/components/gallery/GalleryView.svelte'
import { wrapTabFocus } from '../../src/renderer/src/lib/focus-wrap'
import { gridMove } from '../../src/renderer/src/lib/grid-navigation'
import { createFakeApi, makePredictions } from './training-fake-api'

// jsdom has no layout, so VirtualGrid falls back to 900 px wide (9 columns of 92 px) and 600 px
// high (5 whole rows of 104 px a page).
const COLUMNS = 9
const PAGE_ROWS = 5

afterEach(() => vi.restoreAllMocks())

async function renderGallery(count: number): Promise<HTMLElement> {
  const { container } = renderView(GalleryView, createFakeApi(makePredictions(count)).api)
  await waitFor(() => expect(container.querySelectorAll('.tile').length).toBeGreaterThan(0))
  return container
}

function tile(container: HTMLElement, position: number): HTMLElement {
  return container.querySelector<HTMLElement>(`.tile[data-position="${position}"]`)!
}

function focusedPosition(): number {
  return Number((document.activeElement as HTMLElement).dataset.position)
}

/** Presses `key` on the focused tile and waits until focus has moved to tile `position`. */
async function pressAndExpectFocus(
  key: string,
  position: number,
  modifiers: { ctrlKey?: boolean } = {}
): Promise<void> {
  await fireEvent.keyDown(document.activeElement!, { key, ...modifiers })
  await waitFor(() => expect(focusedPosition()).toBe(position))
}

describe('gridMove', () => {
  const shape = { total: 50, columns: 9, pageRows: 2 } // rows of 9; the last row holds 45..49

  it('moves by one across row ends and by a row up and down, stopping at the edges', () => {
    expect(gridMove(8, 'ArrowRight', false, shape)).toBe(9)
    expect(gridMove(9, 'ArrowLeft', false, shape)).toBe(8)
    expect(gridMove(0, 'ArrowLeft', false, shape)).toBe(0)
    expect(gridMove(49, 'ArrowRight', false, shape)).toBe(49)
    expect(gridMove(3, 'ArrowDown', false, shape)).toBe(12)
    expect(gridMove(12, 'ArrowUp', false, shape)).toBe(3)
    expect(gridMove(3, 'ArrowUp', false, shape)).toBe(3)
    // 41 is the bottom of its column: the short last row has nothing below it.
    expect(gridMove(40, 'ArrowDown', false, shape)).toBe(49)
    expect(gridMove(41, 'ArrowDown', false, shape)).toBe(41)
  })

  it('goes to row ends with Home/End and to the ends of the list with Ctrl', () => {
    expect(gridMove(12, 'Home', false, shape)).toBe(9)
    expect(gridMove(12, 'End', false, shape)).toBe(17)
    expect(gridMove(46, 'End', false, shape)).toBe(49)
    expect(gridMove(12, 'Home', true, shape)).toBe(0)
    expect(gridMove(12, 'End', true, shape)).toBe(49)
  })

  it('pages by whole rows and stops in the same column at the top or bottom', () => {
    expect(gridMove(3, 'PageDown', false, shape)).toBe(21)
    expect(gridMove(21, 'PageDown', false, shape)).toBe(39)
    expect(gridMove(39, 'PageDown', false, shape)).toBe(48)
    // 35's column ends at 44: the short last row doesn't reach it.
    expect(gridMove(35, 'PageDown', false, shape)).toBe(44)
    expect(gridMove(21, 'PageUp', false, shape)).toBe(3)
    expect(gridMove(12, 'PageUp', false, shape)).toBe(3)
  })

  it('leaves other keys alone', () => {
    expect(gridMove(3, 'a', false, shape)).toBeNull()
    expect(gridMove(0, 'ArrowRight', false, { ...shape, total: 0 })).toBeNull()
  })
})

describe('gallery grid keyboard', () => {
  it('is a grid of rows and cells with one tab stop and labels naming both digits', async () => {
    const container = await renderGallery(50)
    const grid = screen.getByRole('grid', { name: 'Test predictions' })
    expect(grid.getAttribute('aria-colcount')).toBe(String(COLUMNS))
    expect(screen.getAllByRole('row')[0].getAttribute('aria-rowindex')).toBe('1')
    expect(screen.getAllByRole('gridcell').length).toBe(50)
    const stops = container.querySelectorAll('.tile[tabindex="0"]')
    expect(stops).toHaveLength(1)
    expect((stops[0] as HTMLElement).dataset.position).toBe('0')
    expect(tile(container, 0).getAttribute('aria-label')).toMatch(/predicted \d, true \d/)
  })

  it('moves focus and the tab stop with the arrow keys, Home and End', async () => {
    const container = await renderGallery(50)
    tile(container, 0).focus()
    await pressAndExpectFocus('ArrowRight', 1)
    expect(tile(container, 1).tabIndex).toBe(0)
    expect(tile(container, 0).tabIndex).toBe(-1)

    await pressAndExpectFocus('ArrowDown', 1 + COLUMNS)
    await pressAndExpectFocus('End', 2 * COLUMNS - 1)
    await pressAndExpectFocus('Home', COLUMNS)
    await pressAndExpectFocus('ArrowLeft', COLUMNS - 1)
    await pressAndExpectFocus('End', 49, { ctrlKey: true })
    await pressAndExpectFocus('Home', 0, { ctrlKey: true })
    expect(container.querySelectorAll('.tile[tabindex="0"]')).toHaveLength(1)
  })

  it('scrolls a tile outside the rendered rows into the DOM and then focuses it', async () => {
    const container = await renderGallery(10_000)
    expect(tile(container, 9999)).toBeNull()
    tile(container, 0).focus()
    await pressAndExpectFocus('PageDown', PAGE_ROWS * COLUMNS)
    await fireEvent.keyDown(document.activeElement!, { key: 'End', ctrlKey: true })
    // Its page is fetched after the scroll, so focus lands a moment later.
    await waitFor(() => expect(focusedPosition()).toBe(9999))
    expect(container.querySelector('.tile[data-position="0"]')).toBeNull()
    await pressAndExpectFocus('Home', 0, { ctrlKey: true })
  })
})

describe('gallery detail dialog', () => {
  it('opens modally on Enter with focus inside, and Escape returns focus to the tile', async () => {
    const showModal = vi.spyOn(HTMLDialogElement.prototype, 'showModal')
    const container = await renderGallery(50)
    tile(container, 0).focus()
    await pressAndExpectFocus('ArrowRight', 1)
    await fireEvent.keyDown(document.activeElement!, { key: 'Enter' })

    const dialog = await screen.findByRole('dialog', { name: 'Test image #1' })
    expect(showModal).toHaveBeenCalledTimes(1)
    expect(showModal.mock.contexts[0]).toBe(dialog)
    expect((dialog as HTMLDialogElement).open).toBe(true)
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Close' }))

    await fireEvent.keyDown(document.activeElement!, { key: 'Escape' })
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(document.activeElement).toBe(tile(container, 1))
  })

  it('opens on Space and returns focus after the close button or a backdrop click', async () => {
    const container = await renderGallery(50)
    tile(container, 4).focus()
    await fireEvent.keyDown(tile(container, 4), { key: ' ' })
    await fireEvent.click(await screen.findByRole('button', { name: 'Close' }))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(document.activeElement).toBe(tile(container, 4))

    await fireEvent.keyDown(tile(container, 4), { key: 'Enter' })
    await fireEvent.click(await screen.findByRole('dialog'))
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(document.activeElement).toBe(tile(container, 4))
  })

  it('keeps Tab and Shift+Tab inside the dialog and its keys away from app shortcuts', async () => {
    const container = await renderGallery(50)
    tile(container, 0).focus()
    await fireEvent.keyDown(tile(container, 0), { key: 'Enter' })
    const dialog = await screen.findByRole('dialog')
    const close = screen.getByRole('button', { name: 'Close' })
    const inside = screen.getByRole('button', { name: 'Look inside' })
    const onWindowKey = vi.fn()
    window.addEventListener('keydown', onWindowKey)
    try {
      // Close is the dialog's first control and "Look inside" its last: Tab wraps between them.
      inside.focus()
      expect(await fireEvent.keyDown(inside, { key: 'Tab' })).toBe(false)
      expect(document.activeElement).toBe(close)
      expect(await fireEvent.keyDown(close, { key: 'Tab', shiftKey: true })).toBe(false)
      expect(document.activeElement).toBe(inside)
      close.focus()
      await fireEvent.keyDown(close, { key: '1', ctrlKey: true })
      expect(onWindowKey).not.toHaveBeenCalled()
    } finally {
      window.removeEventListener('keydown', onWindowKey)
    }
    expect(dialog.contains(document.activeElement)).toBe(true)
  })
})

describe('wrapTabFocus', () => {
  function setup(): { box: HTMLElement; buttons: HTMLButtonElement[] } {
    const box = document.createElement('div')
    box.innerHTML =
      '<button>a</button><button disabled>x</button><button>b</button><button>c</button>'
    document.body.append(box)
    return { box, buttons: [...box.querySelectorAll('button')] }
  }

  it('wraps Tab from the last control to the first and Shift+Tab back', () => {
    const { box, buttons } = setup()
    const [first, , middle, last] = buttons
    const tab = (shiftKey: boolean): KeyboardEvent => {
      const event = new KeyboardEvent('keydown', { key: 'Tab', shiftKey, cancelable: true })
      wrapTabFocus(box, event)
      return event
    }
    last.focus()
    expect(tab(false).defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(first)
    expect(tab(true).defaultPrevented).toBe(true)
    expect(document.activeElement).toBe(last)
    // In between, the browser's own Tab order applies.
    middle.focus()
    expect(tab(false).defaultPrevented).toBe(false)
    expect(document.activeElement).toBe(middle)
    box.remove()
  })
})
