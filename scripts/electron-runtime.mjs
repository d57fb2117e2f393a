/**
 * Where the Electron runtime lives, checked the way Electron's installer checks it. Never
 * `require('electron')` to find out: without a runtime that call starts a download.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const ELECTRON_DIR = join(ROOT, 'node_modules', 'electron')

/** Absolute path of the Electron executable, or null when the runtime is not installed. */
export function electronExecutable(dir = ELECTRON_DIR) {
  try {
    const exe = join(dir, 'dist', readFileSync(join(dir, 'path.txt'), 'utf8').trim())
    return existsSync(exe) ? exe : null
  } catch {
    return null
  }
}

/** One paragraph for people who try to open the app where the runtime is missing. */
export const RUNTIME_MISSING_HELP = [
  'Digit Studio: the Electron runtime is not installed, so the desktop app cannot open here.',
  'Electron 45+ downloads its runtime separately from the npm package (from GitHub, or ELECTRON_MIRROR);',
  'fetch it with `npx install-electron --no` (or `node node_modules/electron/install.js`) on a machine',
  'with internet and Node >= 22.12, then run `npm start` again. Everything else works without it:',
  '`npx digit-studio info`, `npx digit-studio train` and `npx digit-studio classify <images>` run the',
  'same engine from the terminal, and `npm test` drives the UI in Chromium.'
].join(' ')
