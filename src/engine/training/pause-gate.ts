/**
 * Pause for a loop that runs step by step (a training run between batches, a study between
 * trials): pause() closes the gate, the loop waits at it after its current step, resume() opens
 * it. One owner for the promise juggling that the training run and the study runner both need.
 */
export class PauseGate {
  private closed: { open: () => void; promise: Promise<void> } | null = null

  /** True between pause() and resume() (or open()). */
  get paused(): boolean {
    return this.closed !== null
  }

  /** Closes the gate; false when it was closed already. */
  pause(): boolean {
    if (this.closed) return false
    let open!: () => void
    const promise = new Promise<void>((resolve) => (open = resolve))
    this.closed = { open, promise }
    return true
  }

  /** Opens the gate and lets a waiting loop go on; false when it wasn't closed. */
  resume(): boolean {
    if (!this.closed) return false
    this.closed.open()
    this.closed = null
    return true
  }

  /** Resolves at once when open, else when the gate opens. */
  wait(): Promise<void> {
    return this.closed?.promise ?? Promise.resolve()
  }
}
