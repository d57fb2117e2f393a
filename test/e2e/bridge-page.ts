/**
 * Runs inside the Chromium page of the e2e tests (bundled by harness.ts into an init script).
 * It builds `window.api` with the preload's own factory, over page bindings instead of Electron
 * IPC, so the renderer under test talks to the real engine through the same api object.
 */
import { createApi } from '../../src/preload/api'
import type { IpcChannel, IpcEvent, IpcReply } from '#shared/ipc-contract'
import { decodeBinary, encodeBinary } from './binary-codec'

type BridgeWindow = typeof globalThis & {
  __digitStudioInvoke(channel: IpcChannel, params: unknown): Promise<IpcReply<unknown>>
  __digitStudioEmit(event: IpcEvent): void
}

const w = globalThis as BridgeWindow
const listeners = new Set<(event: IpcEvent) => void>()

w.__digitStudioEmit = (encoded) => {
  // Typed arrays cross the bridge as base64 (binary-codec.ts); the app sees real Uint8Arrays.
  const event = decodeBinary(encoded) as IpcEvent
  for (const listener of listeners) listener(event)
}

Object.defineProperty(w, 'api', {
  value: createApi(
    async (channel, params) =>
      decodeBinary(await w.__digitStudioInvoke(channel, encodeBinary(params))) as IpcReply<unknown>,
    (listener) => {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    // A browser has no file paths; the UI must fall back to reading the File's bytes.
    async () => ''
  ),
  writable: false,
  configurable: false
})
