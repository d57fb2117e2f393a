/**
 * Static checks over the sources: a supported Electron (S10), the CSP in index.html (S2), and
 * process boundaries that keep heavy work out of Electron main (T1, I4) and Electron out of the
 * engine. The built index.html is checked again in the e2e project, after the build.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { parseCsp, REQUIRED_CSP } from '../helpers/csp'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  devDependencies: Record<string, string>
  dependencies: Record<string, string>
}

/**
 * Electron supports the latest three majors. Latest stable on npm when this was written
 * (2026-11-27): 45. Raise it when a new major ships; the test then asks for an upgrade.
 */
const LATEST_ELECTRON_MAJOR = 45
const SUPPORTED_MAJORS = 3

function filesUnder(dir: string, ext = /\.(ts|svelte)$/): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return filesUnder(path, ext)
    return ext.test(name) ? [path] : []
  })
}

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8')
  const found = [
    ...source.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]/g)
  ]
  const dynamic = [...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)]
  return [...found, ...dynamic].map((m) => m[1])
}

describe('Electron version (S10)', () => {
  const spec = pkg.devDependencies.electron

  it('is an exact pin in devDependencies', () => {
    expect(pkg.dependencies.electron).toBeUndefined()
    expect(spec).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it('is one of the supported majors', () => {
    const major = Number(spec.split('.')[0])
    expect(major).toBeGreaterThan(LATEST_ELECTRON_MAJOR - SUPPORTED_MAJORS)
  })

  it('matches what is installed', () => {
    const installed = JSON.parse(
      readFileSync(join(ROOT, 'node_modules/electron/package.json'), 'utf8')
    ) as { version: string }
    expect(installed.version).toBe(spec)
  })
})

describe('CSP in src/renderer/index.html (S2)', () => {
  const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8')

  it('carries every required directive, exactly', () => {
    expect(parseCsp(html)).toEqual(REQUIRED_CSP)
  })

  it('has no inline script or style', () => {
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/)
    expect(html).not.toMatch(/<style\b/)
    expect(html).not.toMatch(/\sstyle=/)
    expect(html).not.toMatch(/\son[a-z]+=/)
  })
})

describe('process boundaries', () => {
  const mainFiles = filesUnder(join(ROOT, 'src/main'))
  const heavy =
    /^(@tensorflow\/|sharp$|jpeg-js|fast-png|pngjs|omggif|utif2|bmp-ts|@jsquash\/|h5wasm|onnxruntime)/

  it('Electron main imports no tensor or image-decoding code (T1, I4)', () => {
    expect(mainFiles.length).toBeGreaterThan(5)
    for (const file of mainFiles) {
      for (const spec of importsOf(file)) {
        const where = `${relative(ROOT, file)} imports ${spec}`
        expect(heavy.test(spec), where).toBe(false)
        // Main reaches the engine only as a process (its entry path), never by importing it.
        expect(/(^|\/)engine\//.test(spec), where).toBe(false)
      }
    }
  })

  it('the engine loads h5wasm only when it writes a Keras file, never at start-up', () => {
    // Instantiating h5wasm's wasm module costs ~630 MB of resident memory: a static import would
    // put that into every engine process and every training run's peak RSS.
    const engineFiles = filesUnder(join(ROOT, 'src/engine'))
    const staticImport = /(?:^|\n)\s*(?:import|export)\b(?!\s+type\b)[^'"]*?from\s*['"]h5wasm/
    const offenders = engineFiles.filter((f) => staticImport.test(readFileSync(f, 'utf8')))
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([])
    const keras = readFileSync(join(ROOT, 'src/engine/export/keras.ts'), 'utf8')
    expect(keras).toMatch(/import\('h5wasm\/node'\)/)
  })

  it('engine, shared and CLI code never import electron', () => {
    const files = ['src/engine', 'src/shared', 'src/cli'].flatMap((d) => filesUnder(join(ROOT, d)))
    files.push(join(ROOT, 'src/preload/api.ts'))
    for (const file of files) {
      for (const spec of importsOf(file)) {
        expect(spec === 'electron' || spec.startsWith('electron/'), `${relative(ROOT, file)}`).toBe(
          false
        )
      }
    }
  })
})

describe('dev server CSP (electron.vite.config.ts)', () => {
  it('relaxes only style-src and connect-src, and only while serving', async () => {
    const { default: config } = await import('../../electron.vite.config')
    const plugins = (config as { renderer: { plugins: unknown[] } }).renderer.plugins.flat() as {
      name: string
      apply?: string
      transformIndexHtml?: (html: string) => string
    }[]
    const devCsp = plugins.find((p) => p.name === 'digit-studio:dev-csp')
    expect(devCsp?.apply).toBe('serve')
    const html = readFileSync(join(ROOT, 'src/renderer/index.html'), 'utf8')
    const relaxed = parseCsp(devCsp!.transformIndexHtml!(html))
    const changed = Object.keys(REQUIRED_CSP).filter(
      (k) => JSON.stringify(relaxed[k]) !== JSON.stringify(REQUIRED_CSP[k])
    )
    expect(changed.sort()).toEqual(['connect-src', 'style-src'])
    expect(relaxed['script-src']).toEqual(["'self'"])
  })
})
