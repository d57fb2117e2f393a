/**
 * Binds every invoke channel of the contract to its guarded handler, and pushes events to the
 * renderer. Refuses to start with a channel left unhandled, so a new contract entry can't be
 * silently dead.
 */
import { EVENT_CHANNEL, INVOKE_CHANNELS, type IpcEvent } from '#shared/ipc-contract'
import { guarded, type CheckedHandler, type SenderInfo } from './guard'

/** The part of `ipcMain` we use (a fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderInfo, params: unknown) => unknown): void
  removeHandler(channel: string): void
}

/** Registers all handlers; returns the function that removes them again. */
export function registerIpc(
  ipcMain: IpcMainLike,
  handlers: Record<string, CheckedHandler>,
  appOrigins: readonly string[]
): () => void {
  const missing = INVOKE_CHANNELS.filter((c) => !Object.hasOwn(handlers, c))
  if (missing.length) throw new Error(`IPC channels without a handler: ${missing.join(', ')}`)
  const extra = Object.keys(handlers).filter((c) => !(INVOKE_CHANNELS as string[]).includes(c))
  if (extra.length) throw new Error(`IPC handlers outside the contract: ${extra.join(', ')}`)
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, guarded(channel, appOrigins, handlers[channel]))
  }
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel)
  }
}

/** A typed sender of events to the renderer: every event goes on EVENT_CHANNEL. */
type SendEvent = (event: IpcEvent) => void

/** Builds the event sender over whatever delivers it (the window's webContents in the app). */
export function eventSender(send: (channel: string, payload: unknown) => void): SendEvent {
  return (event) => send(EVENT_CHANNEL, event)
}
