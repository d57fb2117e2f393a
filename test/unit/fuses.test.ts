/**
 * RELIABILITY S8: the fuse configuration of packaged builds, and the afterPack step that applies it,
 * run against a stand-in binary holding Electron's fuse wire (the Electron runtime can't be
 * downloaded here, and the wire format is all @electron/fuses touches).
 */
import { FuseV1Options, FuseVersion, getCurrentFuseWire } from '@electron/fuses'
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { afterPack, repairTfjsNode } from '../../build/after-pack.ts'
import {
  electronBinaryPath,
  flipFusesAfterPack,
  fuseConfig,
  type AfterPackContext
} from '../../build/fuses.ts'

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
const ENABLE = 49
const DISABLE = 48

/** A file laid out like an Electron binary around its fuse wire: every fuse at Electron's default. */
function fakeElectron(path: string, wireLength = 9): void {
  // Electron's defaults: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on,
  // asar integrity off, only-asar off, v8 snapshot off, file:// privileges on, and a newer fuse.
  const defaults = '101100011'.slice(0, wireLength)
  writeFileSync(
    path,
    Buffer.concat([
      Buffer.alloc(4096, 7),
      Buffer.from(SENTINEL),
      Buffer.from([1, wireLength]),
      Buffer.from(defaults),
      Buffer.alloc(4096, 7)
    ])
  )
}

describe('fuse configuration (RELIABILITY S8)', () => {
  it('turns off RunAsNode, NODE_OPTIONS and --inspect; turns on asar-only and asar integrity', () => {
    const config = fuseConfig()
    expect(config.version).toBe(FuseVersion.V1)
    expect(config[FuseV1Options.RunAsNode]).toBe(false)
    expect(config[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false)
    expect(config[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false)
    expect(config[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true)
    expect(config[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true)
  })

  it('keeps --inspect only in test builds, and nothing else changes there', () => {
    const test = fuseConfig({ testBuild: true })
    expect(test[FuseV1Options.EnableNodeCliInspectArguments]).toBe(true)
    expect({ ...test, [FuseV1Options.EnableNodeCliInspectArguments]: false }).toEqual(fuseConfig())
  })

  it('afterPack flips the wire of the packed binary (Linux path, unknown newer fuse left alone)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-fuses-'))
    const ctx: AfterPackContext = {
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { appInfo: { productFilename: 'Digit Studio' }, executableName: 'digit-studio' }
    }
    expect(electronBinaryPath(ctx)).toBe(join(dir, 'digit-studio'))
    fakeElectron(join(dir, 'digit-studio'))
    await flipFusesAfterPack(ctx, {})
    const wire = (await getCurrentFuseWire(join(dir, 'digit-studio'))) as unknown as Record<
      number,
      number
    >
    expect(wire[FuseV1Options.RunAsNode]).toBe(DISABLE)
    expect(wire[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(DISABLE)
    expect(wire[FuseV1Options.EnableNodeCliInspectArguments]).toBe(DISABLE)
    expect(wire[FuseV1Options.OnlyLoadAppFromAsar]).toBe(ENABLE)
    expect(wire[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(ENABLE)
    expect(wire[8]).toBe(ENABLE)
  })

  it('knows where the binary is on Windows and macOS', () => {
    const base = {
      appOutDir: '/o',
      arch: 1,
      packager: { appInfo: { productFilename: 'Digit Studio' } }
    }
    expect(electronBinaryPath({ ...base, electronPlatformName: 'win32' })).toBe(
      join('/o', 'Digit Studio.exe')
    )
    expect(electronBinaryPath({ ...base, electronPlatformName: 'darwin' })).toBe(
      join('/o', 'Digit Studio.app')
    )
  })
})

describe('afterPack', () => {
  it('restores the libtensorflow names packaging drops (tfjs#3287, #8354), then flips the fuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ds-afterpack-'))
    const tfjsNode = join(
      dir,
      'resources',
      'app.asar.unpacked',
      'node_modules',
      '@tensorflow',
      'tfjs-node'
    )
    mkdirSync(join(tfjsNode, 'deps', 'lib'), { recursive: true })
    mkdirSync(join(tfjsNode, 'lib', 'napi-v8'), { recursive: true })
    writeFileSync(join(tfjsNode, 'deps', 'lib', 'libtensorflow.so.2.9.1'), 'lib')
    writeFileSync(join(tfjsNode, 'deps', 'lib', 'tensorflow.dll'), 'dll')
    fakeElectron(join(dir, 'digit-studio'))
    const ctx: AfterPackContext = {
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { appInfo: { productFilename: 'Digit Studio' }, executableName: 'digit-studio' }
    }
    await afterPack(ctx, {})
    expect(readFileSync(join(tfjsNode, 'deps', 'lib', 'libtensorflow.so.2'), 'utf8')).toBe('lib')
    expect(readFileSync(join(tfjsNode, 'lib', 'napi-v8', 'tensorflow.dll'), 'utf8')).toBe('dll')
    const wire = (await getCurrentFuseWire(join(dir, 'digit-studio'))) as unknown as Record<
      number,
      number
    >
    expect(wire[FuseV1Options.RunAsNode]).toBe(DISABLE)
    // A second run has nothing left to repair.
    expect(repairTfjsNode(tfjsNode)).toEqual([])
    expect(existsSync(join(tfjsNode, 'deps', 'lib', 'libtensorflow_framework.so.2'))).toBe(false)
  })

  it('npm run native layout: a dereferenced or lost libtensorflow.so.2 becomes a symlink to libtensorflow_cc.so.2 again', () => {
    for (const packaged of ['dereferenced', 'lost'] as const) {
      const tfjsNode = mkdtempSync(join(tmpdir(), 'ds-afterpack-pip-'))
      const lib = join(tfjsNode, 'deps', 'lib')
      mkdirSync(lib, { recursive: true })
      writeFileSync(join(lib, 'libtensorflow_cc.so.2'), 'the cc library')
      writeFileSync(join(lib, 'libtensorflow_framework.so.2'), 'framework')
      if (packaged === 'dereferenced')
        writeFileSync(join(lib, 'libtensorflow.so.2'), 'the cc library')
      expect(repairTfjsNode(tfjsNode)).toEqual([
        'deps/lib/libtensorflow.so.2 -> libtensorflow_cc.so.2'
      ])
      expect(lstatSync(join(lib, 'libtensorflow.so.2')).isSymbolicLink()).toBe(true)
      expect(readlinkSync(join(lib, 'libtensorflow.so.2'))).toBe('libtensorflow_cc.so.2')
      expect(readFileSync(join(lib, 'libtensorflow.so.2'), 'utf8')).toBe('the cc library')
      // Nothing left to do, and Google's names are not invented in this layout.
      expect(repairTfjsNode(tfjsNode)).toEqual([])
      expect(existsSync(join(lib, 'libtensorflow.so.2.9.1'))).toBe(false)
    }
  })
})
