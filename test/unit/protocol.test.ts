/** RELIABILITY S7: app:// serves the built renderer folder and nothing outside it. */
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, isAbsolute } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  APP_SCHEME,
  handleAppProtocol,
  mimeTypeFor,
  resolveAppPath
} from '../../src/main/app-protocol'

const ROOT = '/srv/app/out/renderer'

const inside = (path: string): boolean => {
  const rel = relative(ROOT, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)
}

describe('resolveAppPath (S7)', () => {
  it('maps app URLs into the renderer folder', () => {
    expect(resolveAppPath(ROOT, 'app://digit-studio/index.html')).toBe(join(ROOT, 'index.html'))
    expect(resolveAppPath(ROOT, 'app://digit-studio/')).toBe(join(ROOT, 'index.html'))
    expect(resolveAppPath(ROOT, 'app://digit-studio/assets/index-abc.js?v=1#x')).toBe(
      join(ROOT, 'assets', 'index-abc.js')
    )
    expect(resolveAppPath(ROOT, 'app://digit-studio/assets/a%20b.png')).toBe(
      join(ROOT, 'assets', 'a b.png')
    )
  })

  it.each([
    'app://digit-studio/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://digit-studio/assets/%2E%2E%2F%2E%2E%2F..%2Fetc/passwd',
    'app://digit-studio/..%2f..%2f..%2fetc/passwd',
    'app://digit-studio/..%5c..%5cwindows%5cwin.ini',
    'app://digit-studio/assets\\..\\..\\secret',
    'app://digit-studio/%5c%5cserver%5cshare',
    'app://digit-studio/C:%5cWindows%5cwin.ini',
    'app://digit-studio/C:/Windows/win.ini',
    'app://digit-studio/index.html%00.png',
    'app://digit-studio/%E0%A4%A',
    'app://evil/index.html',
    'app://digit-studio.evil/index.html',
    'file:///etc/passwd',
    'https://digit-studio/index.html',
    '/etc/passwd',
    ''
  ])('refuses %s', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull()
  })

  it.each([
    'app://digit-studio/../../../etc/passwd',
    'app://digit-studio/%2e%2e/%2e%2e/etc/passwd',
    'app://digit-studio/.%2e/.%2e/etc/passwd',
    'app://digit-studio//etc/passwd',
    'app://digit-studio/%2Fetc%2Fpasswd'
  ])('keeps %s inside the folder (the URL parser already removed the dots)', (url) => {
    const path = resolveAppPath(ROOT, url)
    expect(path === null || inside(path)).toBe(true)
  })

  it('never escapes the folder, whatever the path (property, fixed seed)', () => {
    const segment = fc.oneof(
      fc.constantFrom(
        '..',
        '.',
        '%2e%2e',
        '%2E%2e',
        '.%2e',
        '%2f',
        '%5c',
        '\\',
        '/',
        '%00',
        'C:',
        '~'
      ),
      fc.string({ maxLength: 6 })
    )
    fc.assert(
      fc.property(fc.array(segment, { maxLength: 8 }), (parts) => {
        const path = resolveAppPath(ROOT, `app://digit-studio/${parts.join('/')}`)
        return path === null || inside(path)
      }),
      { seed: 20261127, numRuns: 2000 }
    )
  })
})

describe('handleAppProtocol', () => {
  let dir: string
  type Handler = (request: Request) => Promise<Response>
  let handler: Handler

  beforeAll(async () => {
    const base = await mkdtemp(join(tmpdir(), 'digit-studio-protocol-'))
    dir = join(base, 'renderer')
    await mkdir(join(dir, 'assets'), { recursive: true })
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>ok</title>')
    await writeFile(join(dir, 'assets', 'app.js'), 'export {}')
    await writeFile(join(base, 'secret.txt'), 'do not serve')
    const protocol = {
      handle: (scheme: string, h: Handler) => {
        expect(scheme).toBe(APP_SCHEME)
        handler = h
      }
    }
    handleAppProtocol(protocol as never, dir)
  })
  afterAll(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true })
  })

  it('serves files with their content type', async () => {
    const res = await handler(new Request('app://digit-studio/index.html'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(await res.text()).toContain('<title>ok</title>')
    const js = await handler(new Request('app://digit-studio/assets/app.js'))
    expect(js.headers.get('content-type')).toBe(mimeTypeFor('app.js'))
  })

  it('answers 404 for a file next to the folder and for missing files', async () => {
    expect((await handler(new Request('app://digit-studio/%2e%2e%2fsecret.txt'))).status).toBe(404)
    expect((await handler(new Request('app://digit-studio/nope.js'))).status).toBe(404)
  })
})
