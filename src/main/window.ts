/**
 * The main window's options, kept pure (types only from electron) so a unit test can check every
 * security-relevant flag without an Electron runtime (RELIABILITY S1).
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron'

/** Window size that fits the training dashboard's charts side by side. */
const DEFAULT_WIDTH = 1280
const DEFAULT_HEIGHT = 820
const MIN_WIDTH = 960
const MIN_HEIGHT = 640

/**
 * Web preferences for every window we create. Each flag is spelled out (even where it equals
 * Electron's default) so a future default change or a careless edit shows up in the test.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false
  }
}

/** Options of the main window: hidden until the first paint, then shown (no white flash). */
export function mainWindowOptions(
  preloadPath: string,
  iconPath?: string
): BrowserWindowConstructorOptions {
  return {
    width: DEFAULT_WIDTH,
    height: DEFAULT_HEIGHT,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: 'Digit Studio',
    autoHideMenuBar: true,
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: secureWebPreferences(preloadPath)
  }
}
