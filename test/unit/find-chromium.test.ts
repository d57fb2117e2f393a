import { describe, expect, it } from 'vitest'
import { findChromium, type ChromiumSearch } from '../helpers/find-chromium'

// The browser the e2e tests and screenshots drive, found on each OS from an injected file system.

function machine(
  platform: NodeJS.Platform,
  files: string[],
  env: NodeJS.ProcessEnv = {}
): ChromiumSearch {
  return { platform, env, home: '/home/ada', exists: (path) => files.includes(path) }
}

describe('findChromium', () => {
  it("finds Debian's chromium, and prefers it to Chrome", () => {
    const files = ['/usr/bin/google-chrome', '/usr/bin/chromium']
    expect(findChromium(machine('linux', files))).toBe('/usr/bin/chromium')
    expect(findChromium(machine('linux', ['/usr/bin/google-chrome-stable']))).toBe(
      '/usr/bin/google-chrome-stable'
    )
  })

  it('finds Chrome or Edge in /Applications or ~/Applications on macOS', () => {
    const chrome = '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome'
    expect(findChromium(machine('darwin', [chrome]))).toBe(chrome)
    const edge = '/home/ada/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge'
    expect(findChromium(machine('darwin', [edge]))).toBe(edge)
  })

  it('finds Chrome or Edge under Program Files or LocalAppData on Windows', () => {
    const env = {
      PROGRAMFILES: 'C:\\Program Files',
      'PROGRAMFILES(X86)': 'C:\\Program Files (x86)',
      LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local'
    }
    const edge = 'C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe'
    expect(findChromium(machine('win32', [edge], env))).toBe(edge)
    const chrome = 'C:\\Users\\ada\\AppData\\Local\\Google\\Chrome\\Application\\chrome.exe'
    expect(findChromium(machine('win32', [edge, chrome], env))).toBe(chrome)
  })

  it('takes CHROME_PATH first, and says so when it points nowhere', () => {
    const files = ['/usr/bin/chromium', '/opt/chrome/chrome']
    expect(findChromium(machine('linux', files, { CHROME_PATH: '/opt/chrome/chrome' }))).toBe(
      '/opt/chrome/chrome'
    )
    expect(() => findChromium(machine('linux', files, { CHROME_PATH: '/nope/chrome' }))).toThrow(
      'CHROME_PATH=/nope/chrome, but there is no file there'
    )
  })

  it('names the places it looked and how to install one when nothing is found', () => {
    expect(() => findChromium(machine('linux', []))).toThrow(
      /Looked in:\n {2}\/usr\/bin\/chromium\n[\s\S]*apt-get install chromium[\s\S]*CHROME_PATH/
    )
    expect(() => findChromium(machine('darwin', []))).toThrow(/Google Chrome\.app/)
  })
})
