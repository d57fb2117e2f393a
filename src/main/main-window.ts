/**
 * Creates the main window and keeps it healthy: shows it after the first paint, reloads it when
 * its renderer process dies, and asks the user what to do when it stops responding (T2).
 */
import { BrowserWindow, dialog } from 'electron'
import { mainWindowOptions } from './window'

interface MainWindowOptions {
  preloadPath: string
  /** app://digit-studio/index.html, or the dev server's URL under `npm run dev`. */
  url: string
  iconPath?: string
}

/** Opens the main window on the app's UI. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(options.preloadPath, options.iconPath))
  win.once('ready-to-show', () => win.show())

  win.webContents.on('render-process-gone', (_event, details) => {
    // 'clean-exit' is a normal close; anything else (crash, oom, killed) gets a fresh renderer.
    if (details.reason === 'clean-exit' || win.isDestroyed()) return
    console.error(`renderer gone (${details.reason}, exit code ${details.exitCode}); reloading`)
    void win.loadURL(options.url)
  })

  win.on('unresponsive', () => {
    void dialog
      .showMessageBox(win, {
        type: 'warning',
        title: 'Digit Studio is not responding',
        message: 'The window stopped responding.',
        detail: 'Training keeps running in the engine process. Reload the window, or wait.',
        buttons: ['Reload', 'Wait'],
        defaultId: 1,
        cancelId: 1
      })
      .then(({ response }) => {
        if (response === 0 && !win.isDestroyed()) win.webContents.reload()
      })
  })

  void win.loadURL(options.url)
  return win
}
