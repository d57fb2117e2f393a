/**
 * Component-test setup (jsdom). Minimal on purpose: it fills in the browser APIs jsdom lacks and
 * that Svelte or our components touch, and unmounts components after each test.
 */
import { cleanup } from '@testing-library/svelte'
import { afterEach } from 'vitest'

afterEach(() => cleanup())

// Svelte's bind:clientWidth/clientHeight use ResizeObserver, which jsdom doesn't have.
if (!('ResizeObserver' in globalThis)) {
  class ResizeObserverStub {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  }
  ;(globalThis as unknown as { ResizeObserver: unknown }).ResizeObserver = ResizeObserverStub
}

// jsdom has no matchMedia; components use it to follow the OS light/dark theme.
if (!('matchMedia' in window)) {
  ;(window as unknown as { matchMedia: unknown }).matchMedia = (query: string) => ({
    matches: false,
    media: query,
    onchange: null,
    addEventListener() {},
    removeEventListener() {},
    addListener() {},
    removeListener() {},
    dispatchEvent: () => false
  })
}

// jsdom's canvas has no 2D context and logs "Not implemented" on every getContext call; returning
// null quietly is what the drawing code already handles (charts and digits are checked in e2e).
HTMLCanvasElement.prototype.getContext = function getContext() {
  return null
} as typeof HTMLCanvasElement.prototype.getContext

// jsdom has <dialog> without its methods. This stand-in only toggles `open` (and fires `close`);
// the top layer, inertness and focus containment of showModal() are Chromium's, checked in e2e.
if (!('showModal' in HTMLDialogElement.prototype)) {
  Object.assign(HTMLDialogElement.prototype, {
    show(this: HTMLDialogElement) {
      this.open = true
    },
    showModal(this: HTMLDialogElement) {
      this.open = true
    },
    close(this: HTMLDialogElement) {
      if (!this.open) return
      this.open = false
      this.dispatchEvent(new Event('close'))
    }
  })
}
