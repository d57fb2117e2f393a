/**
 * The packaging configuration, checked without packaging (which needs downloads this machine can't
 * make): electron-builder's own schema accepts electron-builder.yml; targets, ids, icon and hooks
 * are there; and every native file the packaged app would carry from node_modules is unpacked from
 * the asar archive, checked against what is really installed.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import yaml from 'js-yaml'
import { minimatch } from 'minimatch'
import { PNG } from 'pngjs'
import { describe, expect, it } from 'vitest'
import { STARTER_MODEL_FOLDER } from '#shared/starter-model'
import { engineEnv } from '../../src/main/engine-env'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
interface BuilderYml {
  appId: string
  productName: string
  files: string[]
  asarUnpack: string[]
  afterPack: string
  extraResources?: { from: string; to: string; filter?: string[] }[]
  linux: { target: string[]; icon: string }
  win: { target: string[]; icon: string }
  mac: { target: string[]; icon: string }
}
const config = yaml.load(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as BuilderYml
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))

/** electron-builder matches asarUnpack globs against paths inside the app, dotfiles included. */
const unpacked = (path: string): boolean =>
  config.asarUnpack.some((p) => minimatch(path, p, { dot: true }))

/** Files the OS loader opens (so they must be real files): addons, shared libraries, executables. */
function nativeFilesIn(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') nativeFilesIn(path, out)
    } else if (entry.isFile()) {
      const isLib = /\.(node|so(\.\d+)*|dll|dylib)$/.test(entry.name)
      const isExe =
        !entry.name.includes('.') &&
        (statSync(path).mode & 0o111) !== 0 &&
        readFileSync(path).subarray(0, 4).toString('latin1') === '\x7fELF'
      if (isLib || isExe) out.push(path)
    }
  }
  return out
}

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own configuration schema', async () => {
    const requireBuilder = createRequire(
      createRequire(import.meta.url).resolve('electron-builder/package.json')
    )
    const { getConfig, validateConfiguration } = requireBuilder(
      'app-builder-lib/out/util/config/config'
    )
    const { DebugLogger } = requireBuilder('builder-util')
    const resolved = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null)
    await expect(validateConfiguration(resolved, new DebugLogger(false))).resolves.toBeUndefined()
  })

  it('names the app and builds AppImage + deb, NSIS and dmg', () => {
    expect(config.appId).toBe('org.digitstudio.app')
    expect(config.productName).toBe('Digit Studio')
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.win.target).toEqual(['nsis'])
    expect(config.mac.target).toEqual(['dmg'])
  })

  it('uses a generated 1024x1024 PNG icon on every platform', () => {
    for (const os of ['linux', 'win', 'mac'] as const)
      expect(config[os].icon).toBe('resources/icon.png')
    const png = PNG.sync.read(readFileSync(join(ROOT, 'resources', 'icon.png')))
    expect([png.width, png.height]).toEqual([1024, 1024])
    // Corners are transparent (rounded tile), the middle opaque.
    expect(png.data[3]).toBe(0)
    expect(png.data[(512 * 1024 + 512) * 4 + 3]).toBe(255)
  })

  it('packs the build output and leaves sources and tests out', () => {
    expect(config.files).toContain('out/**')
    expect(config.files).toContain('package.json')
    for (const p of ['!src/**', '!test/**']) expect(config.files).toContain(p)
    expect(pkg.main).toBe('./out/main/index.js')
  })

  it('ships the starter model beside the asar, where main tells the engine to look', () => {
    const entry = config.extraResources?.find((r) => r.from === 'resources/starter-model')
    expect(entry, 'electron-builder.yml extraResources has no resources/starter-model').toBeTruthy()
    expect(entry!.to).toBe(STARTER_MODEL_FOLDER)
    expect(entry!.filter ?? ['**/*']).toContain('**/*')
    // The path main passes in a packaged app is that very folder under resourcesPath.
    const env = engineEnv({ userData: '/u', isPackaged: true, resourcesPath: '/opt/app/resources' })
    expect(env.DIGIT_STUDIO_STARTER_MODEL).toBe(join('/opt/app/resources', entry!.to))
    // Unpackaged, the engine finds resources/starter-model itself: no variable is passed.
    expect(engineEnv({ userData: '/u', isPackaged: false, resourcesPath: '/x' })).toEqual({
      DIGIT_STUDIO_HOME: '/u'
    })
  })

  it('has a starter model to ship: model.json, its weights and starter.json, at most 4 MB', () => {
    const dir = join(ROOT, 'resources', 'starter-model')
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: { paths: string[]; weights: { quantization?: { dtype: string } }[] }[]
    }
    const files = readdirSync(dir)
    for (const p of json.weightsManifest.flatMap((g) => g.paths)) expect(files).toContain(p)
    const starter = JSON.parse(readFileSync(join(dir, 'starter.json'), 'utf8'))
    expect(starter.testAccuracyFloat16).toBeGreaterThan(0.99)
    const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0)
    expect(bytes).toBeLessThanOrEqual(4 * 1024 * 1024)
    // Packaging copies the folder as is: nothing in it that isn't part of the model.
    expect(files.sort()).toEqual(
      ['model.json', 'starter.json', ...json.weightsManifest.flatMap((g) => g.paths)].sort()
    )
  })

  it('flips the fuses after packing, through a hook that exists', async () => {
    expect(config.afterPack).toBe('./build/after-pack.mjs')
    expect(existsSync(join(ROOT, config.afterPack))).toBe(true)
    expect(readFileSync(join(ROOT, config.afterPack), 'utf8')).toMatch(
      /export default async function/
    )
  })

  it('has npm run dist and its per-platform variants', () => {
    expect(pkg.scripts.dist).toMatch(/electron-vite build && electron-builder$/)
    expect(pkg.scripts['dist:linux']).toMatch(/electron-builder --linux$/)
    expect(pkg.scripts['dist:win']).toMatch(/electron-builder --win$/)
    expect(pkg.scripts['dist:mac']).toMatch(/electron-builder --mac$/)
  })

  it('unpacks tfjs-node’s addon and libtensorflow (checked on its 4.22 layout where it isn’t installed)', () => {
    const dir = join(ROOT, 'node_modules', '@tensorflow', 'tfjs-node')
    let files: string[]
    if (existsSync(dir)) {
      files = nativeFilesIn(dir).map((f) => relative(ROOT, f))
    } else {
      console.log(
        'tfjs-node is not installed here (optionalDependency; libtensorflow cannot be downloaded): ' +
          'checking the patterns against the files tfjs-node 4.22 installs on Linux, Windows and macOS instead'
      )
      files = [
        'lib/napi-v8/tfjs_binding.node',
        'deps/lib/libtensorflow.so.2.9.1',
        'deps/lib/libtensorflow.so.2',
        'deps/lib/libtensorflow_framework.so.2',
        'deps/lib/tensorflow.dll',
        'lib/napi-v8/tensorflow.dll',
        'deps/lib/libtensorflow.2.dylib'
      ].map((f) => `node_modules/@tensorflow/tfjs-node/${f}`)
    }
    expect(files.length).toBeGreaterThan(0)
    for (const f of files) expect(unpacked(f), f).toBe(true)
  })

  it('ships tfjs-node’s run-time libraries of both Linux layouts, unpacked, and leaves its build-time files out', () => {
    // Google's prebuilt (tfjs-node's own install) and `npm run native`'s (TensorFlow's pip wheel).
    const tfjsNode = (f: string): string => `node_modules/@tensorflow/tfjs-node/${f}`
    const excluded = (path: string): boolean =>
      config.files
        .filter((p) => p.startsWith('!'))
        .some((p) => minimatch(path, p.slice(1), { dot: true }))
    const runtime = {
      google: ['deps/lib/libtensorflow.so.2.9.1', 'deps/lib/libtensorflow.so.2'],
      pip: ['deps/lib/libtensorflow_cc.so.2', 'deps/lib/libtensorflow.so.2']
    }
    for (const files of Object.values(runtime)) {
      for (const f of [
        ...files,
        'deps/lib/libtensorflow_framework.so.2',
        'lib/napi-v8/tfjs_binding.node'
      ]) {
        expect(excluded(tfjsNode(f)), f).toBe(false)
        expect(unpacked(tfjsNode(f)), f).toBe(true)
      }
    }
    for (const f of [
      'deps/lib/libtensorflow.so',
      'deps/lib/libtensorflow_framework.so',
      'deps/include/tensorflow/c/c_api.h',
      'build/Release/obj.target/tfjs_binding/binding/tfjs_backend.o'
    ])
      expect(excluded(tfjsNode(f)), f).toBe(true)
    // Where tfjs-node is installed, every library its binding needs at run time is shipped.
    const binding = join(ROOT, tfjsNode('lib/napi-v8/tfjs_binding.node'))
    if (existsSync(binding)) {
      const needed = [
        ...execFileSync('readelf', ['-d', binding], { encoding: 'utf8' }).matchAll(
          /\(NEEDED\)\s+Shared library: \[(libtensorflow[^\]]*)\]/g
        )
      ].map((m) => m[1])
      expect(needed.length).toBeGreaterThan(0)
      for (const lib of needed) {
        expect(existsSync(join(ROOT, tfjsNode(`deps/lib/${lib}`))), lib).toBe(true)
        expect(excluded(tfjsNode(`deps/lib/${lib}`)), lib).toBe(false)
      }
    }
  })

  it('unpacks every native file of the production dependencies really in node_modules', () => {
    // The packaged app carries the production dependency tree only (devDependencies stay out).
    const prodDirs = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
      cwd: ROOT,
      encoding: 'utf8'
    })
      .trim()
      .split('\n')
      .filter((d) => d !== ROOT && d.includes('node_modules'))
    const native = prodDirs.flatMap((d) => nativeFilesIn(d)).map((f) => relative(ROOT, f))
    console.log(`native files in production dependencies: ${native.join(', ') || 'none'}`)
    for (const f of native) expect(unpacked(f), `${f} would stay inside app.asar`).toBe(true)
    // The wasm fallback reads its binaries by path.
    expect(
      unpacked('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm')
    ).toBe(true)
    // Nothing else is unpacked wholesale by accident.
    expect(unpacked('node_modules/@tensorflow/tfjs-core/dist/index.js')).toBe(false)
    expect(unpacked('out/main/index.js')).toBe(false)
  })
})
