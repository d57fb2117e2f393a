/**
 * The install and start scripts on a machine like this one (npm registry only): postinstall exits
 * 0 quickly with one clear line per missing piece; `npm start` explains a missing Electron
 * runtime in one paragraph and exits non-zero.
 */
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { electronExecutable } from '../../scripts/electron-runtime.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const runtimeInstalled = electronExecutable() !== null
const tfjsNodeInstalled = existsSync(join(ROOT, 'node_modules/@tensorflow/tfjs-node/package.json'))

function runScript(script: string, env: NodeJS.ProcessEnv = {}, args: string[] = []) {
  const started = Date.now()
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    // An unroutable mirror stands in for "no internet", whatever this machine can reach.
    env: { ...process.env, ELECTRON_MIRROR: 'http://127.0.0.1:9/', ...env },
    timeout: 60_000
  })
  return { ...result, seconds: (Date.now() - started) / 1000 }
}

describe('scripts/postinstall.mjs', () => {
  it('exits 0 fast and prints one line per missing piece', () => {
    const { status, stdout, stderr, seconds } = runScript('postinstall.mjs')
    expect(status, stderr).toBe(0)
    expect(seconds).toBeLessThan(20)
    const lines = stdout.trim().split('\n').filter(Boolean)
    const electronLines = lines.filter((l) => l.includes('Electron runtime'))
    const tfjsLines = lines.filter((l) => l.includes('tfjs-node'))
    expect(electronLines).toHaveLength(runtimeInstalled ? 0 : 1)
    if (!runtimeInstalled) {
      // What is missing, what still works, how to get it later.
      expect(electronLines[0]).toMatch(/not installed/)
      expect(electronLines[0]).toMatch(/digit-studio/)
      expect(electronLines[0]).toMatch(/wasm fallback/)
      expect(electronLines[0]).toMatch(/install-electron/)
      expect(electronLines[0]).toMatch(/Node >= 22\.12/)
    }
    if (!tfjsNodeInstalled) {
      expect(tfjsLines).toHaveLength(1)
      expect(tfjsLines[0]).toMatch(/wasm fallback/)
      expect(tfjsLines[0]).toMatch(/npm install @tensorflow\/tfjs-node/)
    }
  })

  it.skipIf(runtimeInstalled)(
    'gives up quickly when the download server is unreachable (skipped: runtime installed)',
    () => {
      const { status, stdout, seconds } = runScript('postinstall.mjs', {
        DIGIT_STUDIO_POSTINSTALL_ANY_NODE: '1',
        HTTPS_PROXY: '',
        https_proxy: '',
        ELECTRON_GET_USE_PROXY: ''
      })
      expect(status).toBe(0)
      expect(seconds).toBeLessThan(15)
      const lines = stdout.split('\n').filter((l) => l.includes('Electron runtime'))
      expect(lines).toHaveLength(1)
      expect(lines[0]).toMatch(/http:\/\/127\.0\.0\.1:9 is not reachable/)
    }
  )

  it('honours ELECTRON_SKIP_BINARY_DOWNLOAD without touching the network', () => {
    const { status, stdout } = runScript('postinstall.mjs', { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' })
    expect(status).toBe(0)
    if (!runtimeInstalled) expect(stdout).toMatch(/ELECTRON_SKIP_BINARY_DOWNLOAD/)
  })
})

describe('scripts/start.mjs', () => {
  it.skipIf(runtimeInstalled)(
    'explains a missing runtime in one paragraph and exits non-zero (skipped: runtime installed)',
    () => {
      const { status, stderr, stdout } = runScript('start.mjs')
      expect(status).not.toBe(0)
      const text = (stderr + stdout).trim()
      expect(text.split('\n')).toHaveLength(1)
      expect(text).toMatch(/Electron runtime is not installed/)
      expect(text).toMatch(/npx install-electron/)
      expect(text).toMatch(/npx digit-studio info/)
    }
  )

  it.skipIf(runtimeInstalled)(
    '--check (run before `npm run dev`) fails the same way (skipped: runtime installed)',
    () => {
      const { status, stderr } = runScript('start.mjs', {}, ['--check'])
      expect(status).not.toBe(0)
      expect(stderr).toMatch(/npx install-electron/)
    }
  )
})
