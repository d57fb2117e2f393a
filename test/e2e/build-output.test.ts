/**
 * The electron-vite build output, checked the way Electron will load it (no Electron runtime
 * here): the sandboxed preload may only require 'electron', the renderer keeps the strict CSP,
 * and the built engine worker starts and answers as a plain Node child, which is what
 * utilityProcess runs.
 */
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { EngineClient, type EngineTransport } from '#host/engine-client'
import type { EngineToHostMessage } from '#shared/engine-protocol'
import { parseCsp, REQUIRED_CSP } from '../helpers/csp'
import { RENDERER_DIR } from './harness'

const OUT = fileURLToPath(new URL('../../out/', import.meta.url))

describe('electron-vite build output', () => {
  it('renderer: strict CSP in index.html and no inline script (S2)', () => {
    const html = readFileSync(join(RENDERER_DIR, 'index.html'), 'utf8')
    expect(parseCsp(html)).toEqual(REQUIRED_CSP)
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
  })

  it('preload: one CommonJS file that requires nothing but electron (sandbox: true)', () => {
    const code = readFileSync(join(OUT, 'preload', 'index.cjs'), 'utf8')
    const required = [...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    expect(new Set(required)).toEqual(new Set(['electron']))
    expect(code).not.toMatch(/^\s*import\s/m)
    expect(code).toMatch(/exposeInMainWorld\(\s*["']api["']/)
  })

  it('main: loads the engine as its own entry, never bundled into main', () => {
    const main = readFileSync(join(OUT, 'main', 'index.js'), 'utf8')
    expect(main).toMatch(/engine\/worker\.js/)
    expect(main).not.toMatch(/@tensorflow\/tfjs/)
  })

  it('engine worker bundle starts and answers engine:info', async () => {
    const child = fork(join(OUT, 'main', 'engine', 'worker.js'), [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'pipe', 'ipc']
    })
    let tail = ''
    child.stderr?.on('data', (c: Buffer) => (tail += c.toString()))
    const transport: EngineTransport = {
      pid: child.pid,
      postMessage: (msg) => void child.send(msg),
      onMessage: (cb) => void child.on('message', (m) => cb(m as EngineToHostMessage)),
      onExit: (cb) => void child.once('exit', (code, signal) => cb(code, signal, tail)),
      kill: (signal) => void child.kill(signal)
    }
    const engine = new EngineClient(transport)
    try {
      await engine.ready()
      const info = await engine.request('engine:info', {})
      expect(info.dataset.train).toBe(60_000)
      expect(info.dataset.test).toBe(10_000)
      expect(info.appVersion).toMatch(/^\d+\.\d+\.\d+/)
    } finally {
      await engine.dispose()
    }
  })
})
