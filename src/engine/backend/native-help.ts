/**
 * What a user on the wasm fallback needs to get native TensorFlow, in one sentence the Engine
 * view shows beside the reason. A source checkout can build it (the exact command); an installed
 * app can't, so there it says which platforms the installers bundle native TensorFlow for.
 */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

interface NativeHelpContext {
  platform: NodeJS.Platform
  arch: string
  /** True in a git checkout (scripts/native.mjs beside package.json), false in an installed app. */
  sourceCheckout: boolean
}

/** Installers carry tfjs-node where Google's prebuilt libtensorflow or `npm run native` exists. */
const NATIVE_PLATFORMS = ['linux-x64', 'win32-x64', 'darwin-x64']

/** The sentence for `context`; pure, so every case is unit-tested. */
export function nativeHelp({ platform, arch, sourceCheckout }: NativeHelpContext): string {
  const target = `${platform}-${arch}`
  if (!sourceCheckout) {
    return NATIVE_PLATFORMS.includes(target)
      ? `Installers for ${NATIVE_PLATFORMS.join(', ')} bundle native TensorFlow where it was built; this copy has none that loads, so it trains on the fallback (same results, slower).`
      : `Installed apps bundle native TensorFlow only for ${NATIVE_PLATFORMS.join(', ')}; ${target} has no tfjs-node build, so the fallback is what this platform runs.`
  }
  if (target === 'linux-x64')
    return 'In this checkout, run `npm run native` (builds tfjs-node against TensorFlow’s pip wheel; needs python3 with pip, g++ and make), or `npm install @tensorflow/tfjs-node` where Google storage is reachable; then restart the engine.'
  if (NATIVE_PLATFORMS.includes(target))
    return 'In this checkout, run `npm install @tensorflow/tfjs-node` with internet access (it downloads Google’s prebuilt libtensorflow); then restart the engine.'
  return `tfjs-node has no build for ${target} (e.g. Apple Silicon, tfjs#8228): the fallback is what this platform runs.`
}

/** True when the engine runs from a source checkout (where `npm run native` exists). */
export function isSourceCheckout(from: string = fileURLToPath(import.meta.url)): boolean {
  for (let dir = dirname(from); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return existsSync(join(dir, 'scripts', 'native.mjs'))
  }
  return false
}
