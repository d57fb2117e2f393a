/**
 * Electron main: app lifecycle only. It wires the pieces together (protocol, security rules,
 * engine host, IPC, window) and does no work of its own; tensors and images live in the engine
 * process.
 */
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, ipcMain, protocol, session, shell } from 'electron'
import { APP_INDEX_URL, APP_ORIGIN, APP_SCHEME_PRIVILEGES, handleAppProtocol } from './app-protocol'
import { EngineHost } from '#host/engine-host'
import { engineEnv } from './engine-env'
import { utilityEngine } from './engine-utility'
import { appHandlers } from './ipc/app'
import { dialogHandlers } from './ipc/dialog'
import { PathGrants } from './ipc/path-grants'
import { engineHandlers } from './ipc/engine'
import { eventSender, registerIpc } from './ipc/register'
import { createMainWindow } from './main-window'
import { denyAllPermissions, guardWebContents } from './security'
import { electronAppServices, electronDialogs } from './services'

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url))
const RENDERER_DIR = here('../renderer')
const PRELOAD_PATH = here('../preload/index.cjs')
const ENGINE_ENTRY = here('./engine/worker.js')
// Set by `electron-vite dev`; the UI then comes from the dev server instead of app://.
const DEV_URL = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
const APP_ORIGINS = DEV_URL ? [APP_ORIGIN, new URL(DEV_URL).origin] : [APP_ORIGIN]

// Must happen before `ready`: gives app:// a real origin, secure context and fetch().
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])

// A second copy would start a second engine on the same data folder: hand over to the first.
const isFirstInstance = app.requestSingleInstanceLock()
if (!isFirstInstance) app.quit()

let mainWindow: BrowserWindow | null = null
const getWindow = (): BrowserWindow | null =>
  mainWindow && !mainWindow.isDestroyed() ? mainWindow : null
const sendEvent = eventSender((channel, payload) => getWindow()?.webContents.send(channel, payload))

const engine = new EngineHost({
  spawn: () =>
    utilityEngine(
      ENGINE_ENTRY,
      engineEnv({
        userData: app.getPath('userData'),
        isPackaged: app.isPackaged,
        resourcesPath: process.resourcesPath
      })
    ),
  onState: sendEvent,
  onEvent: sendEvent
})

app.on('web-contents-created', (_event, contents) => {
  guardWebContents(contents, APP_ORIGINS, (url) => void shell.openExternal(url))
})

app.on('second-instance', () => {
  const win = getWindow()
  if (win) {
    if (win.isMinimized()) win.restore()
    win.focus()
  }
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('before-quit', () => {
  void engine.stop()
})

function openWindow(): void {
  mainWindow = createMainWindow({ preloadPath: PRELOAD_PATH, url: DEV_URL ?? APP_INDEX_URL })
}

// Windows shows notifications only for an app with a user model id (same as electron-builder's appId).
if (process.platform === 'win32') app.setAppUserModelId('org.digitstudio.app')

void app.whenReady().then(async () => {
  if (!isFirstInstance) return
  denyAllPermissions(session.defaultSession)
  handleAppProtocol(protocol, RENDERER_DIR)
  // Paths the user chose in earlier sessions stay usable (RELIABILITY R3).
  const grants = await PathGrants.load(app.getPath('userData'))
  registerIpc(
    ipcMain,
    {
      ...engineHandlers({
        request: (method, params) => engine.request(method, params as never),
        restart: () => engine.restart()
      }),
      ...appHandlers(electronAppServices(getWindow)),
      ...dialogHandlers(electronDialogs(getWindow), grants)
    },
    APP_ORIGINS,
    grants
  )
  // Start the engine alongside the window: loading tfjs and the dataset takes a few seconds.
  engine.start().catch((err: unknown) => console.error('engine failed to start:', err))
  openWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
})
