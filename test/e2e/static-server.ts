/**
 * The e2e stand-in for main's app:// protocol: the BUILT renderer (out/renderer) served on
 * loopback with the same path confinement and MIME types.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { APP_ORIGIN, mimeTypeFor, resolveAppPath } from '../../src/main/app-protocol'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const RENDERER_DIR = join(ROOT, 'out', 'renderer')

/** Serves `RENDERER_DIR` on 127.0.0.1 only, with the same path confinement as app://. */
export async function serveRenderer(): Promise<{ server: Server; baseUrl: string }> {
  const server = createServer((req, res) => {
    // Chromium asks for a favicon on its own; Electron never does, so the app ships none.
    if (req.url === '/favicon.ico') return void res.writeHead(204).end()
    const path = resolveAppPath(RENDERER_DIR, `${APP_ORIGIN}${(req.url ?? '/').split('?')[0]}`)
    if (!path) return void res.writeHead(404).end('Not found')
    readFile(path).then(
      (body) => res.writeHead(200, { 'content-type': mimeTypeFor(path) }).end(body),
      () => res.writeHead(404).end('Not found')
    )
  })
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok))
  const { port } = server.address() as AddressInfo
  return { server, baseUrl: `http://127.0.0.1:${port}` }
}
