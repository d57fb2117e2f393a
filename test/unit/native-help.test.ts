import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { isSourceCheckout, nativeHelp } from '#engine/backend/native-help'

describe('what native TensorFlow needs, shown on the fallback', () => {
  it('in a source checkout: the exact command for this platform', () => {
    const checkout = (platform: NodeJS.Platform, arch: string): string =>
      nativeHelp({ platform, arch, sourceCheckout: true })
    expect(checkout('linux', 'x64')).toMatch(/run `npm run native`/)
    expect(checkout('win32', 'x64')).toMatch(/run `npm install @tensorflow\/tfjs-node`/)
    expect(checkout('win32', 'x64')).not.toMatch(/npm run native/)
    expect(checkout('darwin', 'arm64')).toMatch(/no build for darwin-arm64 .*Apple Silicon/)
  })

  it('in an installed app: what the platform supports, never a command', () => {
    const installed = (platform: NodeJS.Platform, arch: string): string =>
      nativeHelp({ platform, arch, sourceCheckout: false })
    expect(installed('linux', 'x64')).toMatch(
      /Installers for linux-x64, win32-x64, darwin-x64 bundle/
    )
    expect(installed('darwin', 'arm64')).toMatch(/darwin-arm64 has no tfjs-node build/)
    for (const text of [installed('linux', 'x64'), installed('darwin', 'arm64')])
      expect(text).not.toMatch(/`npm/)
  })

  it('knows a checkout (scripts/native.mjs beside package.json) from an installed app', () => {
    expect(isSourceCheckout()).toBe(true)
    const app = mkdtempSync(join(tmpdir(), 'ds-installed-'))
    writeFileSync(join(app, 'package.json'), '{}')
    mkdirSync(join(app, 'out', 'main'), { recursive: true })
    expect(isSourceCheckout(join(app, 'out', 'main', 'worker.js'))).toBe(false)
  })
})
