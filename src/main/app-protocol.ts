/**
 * The `app://` protocol that serves the built renderer (RELIABILITY S7). A privileged standard
 * scheme gives the UI a real origin for CSP and sender checks, unlike file://, and the resolver
 * below confines every request to the renderer folder.
 */
import { readFile } from 'node:fs/promises'
import { extname, isAbsolute, relative, resolve, sep } from 'node:path'
import type { Protocol } from 'electron'

export const APP_SCHEME = 'app'
const APP_HOST = 'digit-studio'
/** Origin of the UI in a built app; IPC sender checks compare against it. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
/** Where the main window loads the UI from. */
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`

/** Privileges for `protocol.registerSchemesAsPrivileged` (must run before `app` is ready). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true }
} as const

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2'
}

/** Content type for a served file; unknown types are served as opaque bytes. */
export function mimeTypeFor(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/**
 * Maps an `app://digit-studio/...` URL to a file inside `rootDir`, or null when the URL is for
 * another host or would leave the folder (`..`, `%2e%2e`, encoded or literal backslashes,
 * absolute paths, NUL bytes). `/` maps to index.html.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): string | null {
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    return null
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null
  let pathname: string
  try {
    pathname = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  // Decoded backslashes and NULs have no business in a URL path to our own files.
  if (pathname.includes('\\') || pathname.includes('\0')) return null
  const segments = pathname.split('/').filter((s) => s !== '')
  if (segments.some((s) => s === '..' || s === '.' || /^[a-zA-Z]:$/.test(s))) return null
  const root = resolve(rootDir)
  const target = resolve(root, segments.length ? segments.join(sep) : 'index.html')
  const rel = relative(root, target)
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null
  return target
}

/** Serves the renderer folder on `app://`; anything outside it is a 404. */
export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const path = resolveAppPath(rendererDir, request.url)
    if (!path) return new Response('Not found', { status: 404 })
    try {
      const body = await readFile(path)
      return new Response(body, { headers: { 'content-type': mimeTypeFor(path) } })
    } catch {
      return new Response('Not found', { status: 404 })
    }
  })
}
