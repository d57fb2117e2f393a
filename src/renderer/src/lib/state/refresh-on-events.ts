/**
 * One "refresh on event" helper for every store that mirrors engine data (podman-desktop's event
 * stores): load now, load again whenever one of the events arrives, and one function to stop.
 */
import type { IpcEventType, RendererApi } from '#shared/ipc-contract'

/** Calls `refresh` now and after each of `events`; returns the unsubscribe function. */
export function refreshOnEvents(
  api: Pick<RendererApi, 'on'>,
  events: readonly IpcEventType[],
  refresh: () => unknown
): () => void {
  void refresh()
  const offs = events.map((type) => api.on(type, () => void refresh()))
  return () => offs.forEach((off) => off())
}
