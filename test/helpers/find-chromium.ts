/**
 * Finds the Chromium-family browser the browser tests and `npm run screenshots` drive through
 * playwright-core (which downloads no browser of its own here): `CHROME_PATH` (or the older
 * `DIGIT_STUDIO_CHROMIUM`) when set, else the usual install places of Chromium, Chrome and Edge on
 * Linux, macOS and Windows.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, win32 } from 'node:path'

/** What the search looks at; tests pass their own (an injected file system and environment). */
export interface ChromiumSearch {
  platform: NodeJS.Platform
  env: NodeJS.ProcessEnv
  home: string
  exists(path: string): boolean
}

const LINUX = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/usr/bin/microsoft-edge',
  '/usr/bin/microsoft-edge-stable'
]

const MAC_APPS = [
  'Chromium.app/Contents/MacOS/Chromium',
  'Google Chrome.app/Contents/MacOS/Google Chrome',
  'Microsoft Edge.app/Contents/MacOS/Microsoft Edge'
]

const WINDOWS_APPS = [
  'Chromium\\Application\\chrome.exe',
  'Google\\Chrome\\Application\\chrome.exe',
  'Microsoft\\Edge\\Application\\msedge.exe'
]

/** The places looked at on `platform`, in order of preference (Chromium first, as CI uses). */
export function chromiumCandidates(search: Omit<ChromiumSearch, 'exists'>): string[] {
  const { platform, env, home } = search
  if (platform === 'darwin')
    return ['/Applications', join(home, 'Applications')].flatMap((dir) =>
      MAC_APPS.map((app) => `${dir}/${app}`)
    )
  if (platform === 'win32') {
    const roots = [env.LOCALAPPDATA, env.PROGRAMFILES, env['PROGRAMFILES(X86)']].filter(
      (root): root is string => Boolean(root)
    )
    return roots.flatMap((root) => WINDOWS_APPS.map((app) => win32.join(root, app)))
  }
  return LINUX
}

/**
 * The browser's executable. An explicit `CHROME_PATH` that doesn't exist is an error (never
 * silently replaced by another browser); nothing found is an error saying what was tried and how
 * to install one.
 */
export function findChromium(search: ChromiumSearch = defaultSearch()): string {
  const override = search.env.CHROME_PATH || search.env.DIGIT_STUDIO_CHROMIUM
  if (override) {
    if (search.exists(override)) return override
    const name = search.env.CHROME_PATH ? 'CHROME_PATH' : 'DIGIT_STUDIO_CHROMIUM'
    throw new Error(`${name}=${override}, but there is no file there`)
  }
  const candidates = chromiumCandidates(search)
  const found = candidates.find((path) => search.exists(path))
  if (found) return found
  throw new Error(
    `No Chromium, Chrome or Edge found for the browser tests. Looked in:\n  ${candidates.join('\n  ')}\n` +
      'Install one (Debian/Ubuntu: apt-get install chromium) or set CHROME_PATH to its executable.'
  )
}

function defaultSearch(): ChromiumSearch {
  return { platform: process.platform, env: process.env, home: homedir(), exists: existsSync }
}
