/**
 * Typed access to `window.api` (built by the preload, or by the e2e bridge in plain Chromium).
 * Components and state classes import from here instead of touching `window` themselves, so a
 * component test can hand in a fake with `setApi()`.
 */
import type { RendererApi } from '#shared/ipc-contract'

let override: RendererApi | null = null

/** The api object; throws a clear error when the page was opened without a preload or bridge. */
export function getApi(): RendererApi {
  if (override) return override
  const api = (globalThis as { api?: RendererApi }).api
  if (!api)
    throw new Error('window.api is missing: the page must run in Digit Studio or its test bridge')
  return api
}

/** Replaces the api (component tests); `null` goes back to `window.api`. */
export function setApi(api: RendererApi | null): void {
  override = api
}

/** What the UI needs from a failed call: a code to branch on and a message to show. */
export interface ErrorInfo {
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
