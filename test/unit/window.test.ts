/** RELIABILITY S1: the window's web preferences, flag by flag. */
import { describe, expect, it } from 'vitest'
import { mainWindowOptions, secureWebPreferences } from '../../src/main/window'

describe('window options (S1)', () => {
  const prefs = secureWebPreferences('/app/out/preload/index.cjs')

  it('isolates and sandboxes the renderer', () => {
    expect(prefs.contextIsolation).toBe(true)
    expect(prefs.sandbox).toBe(true)
    expect(prefs.nodeIntegration).toBe(false)
    expect(prefs.nodeIntegrationInWorker).toBe(false)
    expect(prefs.nodeIntegrationInSubFrames).toBe(false)
  })

  it('never weakens web security', () => {
    expect(prefs.webSecurity).toBe(true)
    expect(prefs.allowRunningInsecureContent).toBe(false)
    expect(prefs.experimentalFeatures).toBe(false)
    expect(prefs.webviewTag).toBe(false)
    expect(prefs).not.toHaveProperty('enableBlinkFeatures')
    expect(prefs).not.toHaveProperty('additionalArguments')
  })

  it('loads our preload and nothing else', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs')
  })

  it('uses the secure preferences for the main window', () => {
    const options = mainWindowOptions('/p.cjs')
    expect(options.webPreferences).toEqual(secureWebPreferences('/p.cjs'))
    expect(options.show).toBe(false)
  })
})
