/**
 * Typed access to `window.api` (built by the preload, or by the e2e bridge in plain Chromium).
 * Only App.svelte reads it, to build the app state (app-state.ts); component tests build theirs
 * on a fake api instead.
 */
import type { RendererApi } from '#shared/ipc-contract'

/** The api object; throws a clear error when the page was opened without a preload or bridge. */
export function getApi(): RendererApi {
  const api = (globalThis as { api?: RendererApi }).api
  if (!api)
    throw new Error('window.api is missing: the page must run in Digit Studio or its test bridge')
  return api
}

/** What the UI needs from a failed call: a code to branch on and a message to show. */
interface ErrorInfo {
  code: string
  message: string
}

const CODE_PREFIX = /^([A-Z][A-Z_]+): ([\s\S]*)$/

/**
 * Reads the code and message of an error thrown by an api call. The preload puts the code in front
 * of the message as well as in `code`, because Electron's contextBridge copies only the message.
 */
export function errorInfo(err: unknown): ErrorInfo {
  const raw = err instanceof Error ? err.message : String(err)
  const match = CODE_PREFIX.exec(raw)
  const code = (err as { code?: unknown } | null)?.code
  if (typeof code === 'string') return { code, message: match ? match[2] : raw }
  if (match) return { code: match[1], message: match[2] }
  return { code: 'INTERNAL', message: raw }
}
