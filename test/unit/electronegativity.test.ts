/**
 * RELIABILITY S9: scripts/electronegativity.mjs (run by `npm test` over the built out/) must be able
 * to fail. Each case writes a small fake build to a temp dir and runs the script on it.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'

const SCRIPT = join(import.meta.dirname, '..', '..', 'scripts', 'electronegativity.mjs')

/** A main process that does what the tool asks: inline secure options, navigation and permission limits. */
const SECURE_MAIN = `import { BrowserWindow, app, session } from 'electron'
app.whenReady().then(() => {
  session.defaultSession.setPermissionRequestHandler((_c, _p, done) => done(false))
  const win = new BrowserWindow({
    webPreferences: { contextIsolation: true, sandbox: true, disableBlinkFeatures: 'Auxclick' }
  })
  win.webContents.on('will-navigate', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }))
})
`
const CSP_HTML = `<!doctype html>
<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; object-src 'none'; base-uri 'none'" /></head><body></body></html>
`

const made: string[] = []
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

/** Writes `files` (path relative to the build dir -> content) to a new temp dir; returns it. */
function fakeBuild(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ds-electronegativity-test-'))
  made.push(dir)
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), content)
  }
  return dir
}

function scan(dir: string): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' })
  return { status: result.status, output: result.stdout + result.stderr }
}

describe('Electronegativity gate over the built app (RELIABILITY S9)', () => {
  it('passes a clean build and says how many files it scanned', () => {
    const { status, output } = scan(
      fakeBuild({ 'main/index.js': SECURE_MAIN, 'renderer/index.html': CSP_HTML })
    )
    expect(output).toMatch(/ok - 2 files scanned, no HIGH\/MEDIUM findings/)
    expect(status).toBe(0)
  })

  it('fails on a window without context isolation, naming check, file and line', () => {
    const insecure = SECURE_MAIN.replace(
      'contextIsolation: true, sandbox: true',
      'nodeIntegration: true, contextIsolation: false'
    )
    const { status, output } = scan(
      fakeBuild({ 'main/index.js': insecure, 'renderer/index.html': CSP_HTML })
    )
    expect(output).toMatch(/CONTEXT_ISOLATION_JS_CHECK \(HIGH\) in main\/index\.js:5/)
    expect(output).toMatch(/SANDBOX_JS_CHECK \(MEDIUM\) in main\/index\.js/)
    expect(status).toBe(1)
  })

  it('scans .cjs preloads and bundles with #private fields (the tool alone skips both)', () => {
    const { status, output } = scan(
      fakeBuild({
        'main/index.js': SECURE_MAIN,
        'renderer/index.html': CSP_HTML,
        'preload/index.cjs': `const { shell } = require('electron')\nmodule.exports = (url) => shell.openExternal(url)\n`,
        'renderer/assets/index.js': `class Store { #items = []; add(x) { this.#items.push(x) } }\nexport const run = (code) => eval('1+' + code)\n`
      })
    )
    expect(output).toMatch(/OPEN_EXTERNAL_JS_CHECK \(MEDIUM\) in preload\/index\.cjs:2/)
    expect(output).toMatch(
      /DANGEROUS_FUNCTIONS_JS_CHECK \(MEDIUM\) in renderer\/assets\/index\.js:2/
    )
    expect(status).toBe(1)
  })

  it('fails clearly when there is no build', () => {
    const { status, output } = scan(join(tmpdir(), 'ds-no-such-build'))
    expect(output).toMatch(/run electron-vite build first/)
    expect(status).toBe(1)
  })
})
