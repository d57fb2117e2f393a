/**
 * Electron-backed implementations of what the IPC handlers need (dialogs, taskbar progress,
 * notifications, versions). Kept apart from the handlers so those stay testable with fakes.
 */
import { app, BrowserWindow, dialog, Notification } from 'electron'
import type { AppServices } from './ipc/app'
import type { DialogServices } from './ipc/dialog'

/** App services acting on the window `getWindow()` returns (null once it is closed). */
export function electronAppServices(getWindow: () => BrowserWindow | null): AppServices {
  return {
    versions: () => ({
      app: app.getVersion(),
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node
    }),
    setProgress: (fraction) => getWindow()?.setProgressBar(fraction),
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show()
    }
  }
}

/** Native dialogs, modal to the main window when it exists. */
export function electronDialogs(getWindow: () => BrowserWindow | null): DialogServices {
  const parent = (): BrowserWindow | undefined => getWindow() ?? undefined
  const open = (opts: Electron.OpenDialogOptions): Promise<Electron.OpenDialogReturnValue> => {
    const win = parent()
    return win ? dialog.showOpenDialog(win, opts) : dialog.showOpenDialog(opts)
  }
  return {
    openFolder: async (title) => {
      const r = await open({ title, properties: ['openDirectory'] })
      return r.canceled ? null : (r.filePaths[0] ?? null)
    },
    openFiles: async (title, filters) => {
      const r = await open({ title, filters, properties: ['openFile', 'multiSelections'] })
      return r.canceled ? [] : r.filePaths
    },
    saveFile: async (defaultName, title, filters) => {
      const win = parent()
      const opts = { title, defaultPath: defaultName, filters }
      const r = win ? await dialog.showSaveDialog(win, opts) : await dialog.showSaveDialog(opts)
      return r.canceled ? null : (r.filePath ?? null)
    }
  }
}
