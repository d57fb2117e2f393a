/**
 * Tab and Shift+Tab wrap around inside a modal. A native modal <dialog> already makes the rest of
 * the page inert, but Tab past its last control still leaves the document (to the browser's own UI,
 * or to nothing in a headless or Electron window); wrapping keeps keyboard focus in the dialog.
 */
const TABBABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])'
].join(', ')

/** Call from the container's keydown handler; ignores every key but Tab. */
export function wrapTabFocus(container: HTMLElement, event: KeyboardEvent): void {
  if (event.key !== 'Tab') return
  const tabbable = [...container.querySelectorAll<HTMLElement>(TABBABLE)]
  const first = tabbable[0]
  const last = tabbable.at(-1)
  if (!first || !last) {
    event.preventDefault()
    return
  }
  const current = document.activeElement
  // The container itself counts as "before the first" and "after the last" control.
  if (event.shiftKey && (current === first || current === container)) {
    event.preventDefault()
    last.focus()
  } else if (!event.shiftKey && (current === last || current === container)) {
    event.preventDefault()
    first.focus()
  }
}
