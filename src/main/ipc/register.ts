/**
 * Binds every invoke channel of the contract to its guarded handler, and pushes events to the
 * renderer. Refuses to start with a channel left unhandled, so a new contract entry can't be
 * silently dead.
 */
import { stat } from 'node:fs/promises'
import {
  EVENT_CHANNEL,
  GRANT_DROPPED_CHANNEL,
  GrantDroppedSchema,
  INVOKE_CHANNELS,
  type IpcChannel,
  type IpcEvent
} from '#shared/ipc-contract'
import { guarded, type CheckedHandler, type SenderInfo } from './guard'
import { pathCheck } from './path-guard'
import type { PathGrants } from './path-grants'

/** The part of `ipcMain` we use (a fake in tests). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: SenderInfo, params: unknown) => unknown): void
  removeHandler(channel: string): void
}

/**
 * Grants a path the preload got from a dropped File (RELIABILITY R3): a folder covers what is in
 * it, a file itself. A path that doesn't exist is not granted.
 */
function grantDroppedHandler(grants: PathGrants): CheckedHandler {
  return async (params) => {
    const { path } = params as { path: string }
    const info = await stat(path).catch(() => null)
    if (info) await grants.grant(path, info.isDirectory() ? 'folder' : 'file')
    return { path: info ? path : '' }
  }
}

/**
 * Registers all handlers, each behind the sender, payload and path checks (paths must be granted
 * in `grants`), plus the dropped-path channel; returns the function that removes them again.
 */
export function registerIpc(
  ipcMain: IpcMainLike,
  handlers: Record<string, CheckedHandler>,
  appOrigins: readonly string[],
  grants: PathGrants
): () => void {
  const missing = INVOKE_CHANNELS.filter((c) => !Object.hasOwn(handlers, c))
  if (missing.length) throw new Error(`IPC channels without a handler: ${missing.join(', ')}`)
  const extra = Object.keys(handlers).filter((c) => !(INVOKE_CHANNELS as string[]).includes(c))
  if (extra.length) throw new Error(`IPC handlers outside the contract: ${extra.join(', ')}`)
  const checkPaths = pathCheck(grants)
  for (const channel of INVOKE_CHANNELS) {
    ipcMain.handle(channel, guarded(channel, appOrigins, handlers[channel], checkPaths))
  }
  ipcMain.handle(
    GRANT_DROPPED_CHANNEL,
    guarded(
      GRANT_DROPPED_CHANNEL as IpcChannel,
      appOrigins,
      grantDroppedHandler(grants),
      null,
      GrantDroppedSchema
    )
  )
  return () => {
    for (const channel of [...INVOKE_CHANNELS, GRANT_DROPPED_CHANNEL])
      ipcMain.removeHandler(channel)
  }
}

/** A typed sender of events to the renderer: every event goes on EVENT_CHANNEL. */
type SendEvent = (event: IpcEvent) => void

/** Builds the event sender over whatever delivers it (the window's webContents in the app). */
export function eventSender(send: (channel: string, payload: unknown) => void): SendEvent {
  return (event) => send(EVENT_CHANNEL, event)
}
