/**
 * Electron fuses flipped into the packaged binary (RELIABILITY S8). Fuses are bits in the Electron
 * executable itself, so a packaged Digit Studio can't be turned into a general Node runtime or
 * debugger by whoever starts it: no `ELECTRON_RUN_AS_NODE`, no `NODE_OPTIONS`, no `--inspect`, and
 * the app code only from the (integrity-checked) asar archive. Applied by electron-builder's
 * `afterPack` hook (build/after-pack.mjs), before signing. Not imported by the running app.
 */
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses'
import { join } from 'node:path'

export interface FuseOptions {
  /**
   * Test builds (DIGIT_STUDIO_TEST_BUILD=1 at package time) keep `--inspect` working, because
   * Playwright's `_electron.launch` drives the app through it. Never shipped.
   */
  testBuild?: boolean
  /** macOS on Apple Silicon refuses an ad-hoc signed binary whose bytes changed, unless re-signed. */
  resetAdHocDarwinSignature?: boolean
}

/** The fuse settings of a packaged build. */
export function fuseConfig(options: FuseOptions = {}): FuseV1Config {
  return {
    version: FuseVersion.V1,
    resetAdHocDarwinSignature: options.resetAdHocDarwinSignature ?? false,
    // ELECTRON_RUN_AS_NODE would make the signed app binary run any script as plain Node.
    [FuseV1Options.RunAsNode]: false,
    // NODE_OPTIONS could preload code (--require) into the app's processes.
    [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
    // --inspect / --inspect-brk would attach a debugger with full Node access.
    [FuseV1Options.EnableNodeCliInspectArguments]: options.testBuild === true,
    // Only the app.asar archive is loaded, never a loose `app/` folder someone dropped beside it.
    [FuseV1Options.OnlyLoadAppFromAsar]: true,
    // ...and that archive must match the hash embedded at build time (macOS and Windows).
    [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
    // Cookies at rest are encrypted with the OS keychain; the app stores none, but it costs nothing.
    [FuseV1Options.EnableCookieEncryption]: true,
    // The UI is served from app://, so file:// needs no extra privileges.
    [FuseV1Options.GrantFileProtocolExtraPrivileges]: false
  }
}

/** What electron-builder hands an afterPack hook (only the fields used here). */
export interface AfterPackContext {
  appOutDir: string
  electronPlatformName: string
  arch: number
  packager: { appInfo: { productFilename: string }; executableName?: string }
}

/** Path of the Electron executable (or .app bundle) inside electron-builder's unpacked output. */
export function electronBinaryPath(ctx: AfterPackContext): string {
  const name = ctx.packager.appInfo.productFilename
  switch (ctx.electronPlatformName) {
    case 'darwin':
    case 'mas':
      return join(ctx.appOutDir, `${name}.app`)
    case 'win32':
      return join(ctx.appOutDir, `${name}.exe`)
    default:
      return join(ctx.appOutDir, ctx.packager.executableName ?? name)
  }
}

/** electron-builder's Arch enum value for arm64. */
const ARCH_ARM64 = 3

/** The afterPack step: flips the fuses of the freshly packed Electron binary. */
export async function flipFusesAfterPack(
  ctx: AfterPackContext,
  env: NodeJS.ProcessEnv = process.env
): Promise<void> {
  const config = fuseConfig({
    testBuild: env.DIGIT_STUDIO_TEST_BUILD === '1',
    resetAdHocDarwinSignature: ctx.electronPlatformName === 'darwin' && ctx.arch === ARCH_ARM64
  })
  await flipFuses(electronBinaryPath(ctx), config)
}
