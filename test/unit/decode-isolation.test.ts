// RELIABILITY I4: untrusted images are decoded only in the engine process. Electron's main
// process, the preload and the renderer import no image decoder, and sharp (GLib clash inside
// Electron, electron#46323) is imported nowhere in the app's sources.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = join(import.meta.dirname, '..', '..')
const DECODERS = ['pngjs', 'jpeg-js', 'utif2', 'omggif', 'bmp-ts', '@jsquash/webp', 'sharp']

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(ts|svelte|mts|js)$/.test(name) ? [path] : []
  })
}

/** Module specifiers a file imports, statically or dynamically. */
function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8')
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map(
    (m) => m[1]
  )
}

const importsDecoder = (file: string): string[] =>
  imports(file).filter((s) => DECODERS.some((d) => s === d || s.startsWith(`${d}/`)))

describe('image decoding stays in the engine (I4)', () => {
  it('Electron main, host, preload and renderer import no image decoder', () => {
    const hosts = [
      ...sources(join(ROOT, 'src', 'main')),
      ...sources(join(ROOT, 'src', 'host')),
      ...sources(join(ROOT, 'src', 'preload')),
      ...sources(join(ROOT, 'src', 'renderer'))
    ]
    expect(hosts.length).toBeGreaterThan(5)
    const offenders = hosts
      .filter((f) => importsDecoder(f).length > 0)
      .map((f) => relative(ROOT, f))
    expect(offenders).toEqual([])
  })

  it('no app source imports sharp; engine code never imports electron', () => {
    const all = sources(join(ROOT, 'src'))
    expect(
      all.filter((f) => imports(f).some((s) => s === 'sharp' || s.startsWith('sharp/')))
    ).toEqual([])
    const engine = sources(join(ROOT, 'src', 'engine'))
    expect(
      engine.filter((f) => imports(f).some((s) => s === 'electron' || s.startsWith('electron/')))
    ).toEqual([])
  })

  it('the engine decoders are the ones the README names, all imported under image/', () => {
    const engine = sources(join(ROOT, 'src', 'engine'))
    const users = engine.filter((f) => importsDecoder(f).length > 0).map((f) => relative(ROOT, f))
    // classify-scan.ts encodes the bench's synthetic scan with pngjs, and My digits stores its crops
    // and model inputs as PNG (and reads its own inputs back); every decoder of user files is
    // under classify/image/.
    const encoders = ['classify-scan.ts', join('digits', 'my-digits-files.ts')]
    expect(
      users.filter(
        (f) => !f.includes(join('classify', 'image')) && !encoders.some((e) => f.endsWith(e))
      )
    ).toEqual([])
  })
})
