/**
 * The e2e fixture: the BUILT renderer (out/renderer) served from a loopback HTTP server, opened
 * in Chromium (Debian's, or an installed Chrome/Edge: find-chromium.ts) through playwright-core, with `window.api` bridged to a REAL engine process
 * forked in the test process. Engine channels go through the same guard main uses (sender frame
 * and payload checks); app channels (dialogs, progress, notifications) are answered by handlers
 * the test controls and recorded in `calls`.
 *
 * Run `npm run build` first (`npm run test:e2e` does).
 */
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import type { EngineClient } from '#host/engine-client'
import { forkEngine } from '#host/engine-fork'
import { EngineHost } from '#host/engine-host'
import { appHandlers } from '../../src/main/ipc/app'
import { dialogHandlers, type DialogServices } from '../../src/main/ipc/dialog'
import { engineHandlers } from '../../src/main/ipc/engine'
import { guarded, type CheckedHandler } from '../../src/main/ipc/guard'
import { pathCheck } from '../../src/main/ipc/path-guard'
import { PathGrants } from '../../src/main/ipc/path-grants'
import {
  INVOKE_CHANNELS,
  type IpcChannel,
  type IpcEvent,
  type IpcReply,
  type IpcResult
} from '#shared/ipc-contract'
import type { EngineStateEvent } from '#shared/protocol/app'
import { findChromium } from '../helpers/find-chromium'
import { decodeBinary, encodeBinary } from './binary-codec'
import { bundleBridge } from './bridge-bundle'
import { RENDERER_DIR, ROOT, serveRenderer } from './static-server'
import { engineBackendEnv } from '../helpers/engine'

export { RENDERER_DIR } from './static-server'
/** Screenshots land here (git-ignored), one PNG per `screenshot(name)`. */
export const RESULTS_DIR = join(ROOT, 'test-results')

/** The flags CI uses: headless, no GPU, and nothing that phones home. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic'
]

/** One answer per app channel; tests override the ones they care about (e.g. a dialog's pick). */
export type AppChannelHandlers = {
  [C in IpcChannel as C extends `dialog:${string}` | `app:${string}` ? C : never]?: (
    params: never
  ) => IpcResult<C> | Promise<IpcResult<C>>
}

/** The labels of the left navigation's tabs. */
export type ViewLabel =
  | 'Train'
  | 'Gallery'
  | 'Classify'
  | 'My digits'
  | 'Inside'
  | 'Runs & Export'
  | 'Engine'
  | 'Studies'

export interface LaunchOptions {
  /** What the native dialogs "pick"; default: every dialog is cancelled. */
  dialogs?: Partial<DialogServices>
  /** Raw answers per app channel (override `dialogs` and the defaults, e.g. `app:versions`). */
  handlers?: AppChannelHandlers
  /**
   * Extra env for the engine (e.g. DIGIT_STUDIO_BACKEND). Without DIGIT_STUDIO_HOME the engine
   * gets a fresh temporary data folder, removed on close, so tests never touch the user's runs.
   */
  engineEnv?: NodeJS.ProcessEnv
  /** Window size; defaults to the app window's default size. */
  viewport?: { width: number; height: number }
  /** `light` or `dark`, for screenshots of both themes. */
  colorScheme?: 'light' | 'dark'
}

export interface AppFixture {
  page: Page
  context: BrowserContext
  browser: Browser
  /** Where the built renderer is served, e.g. http://127.0.0.1:41234 */
  baseUrl: string
  /** The engine's data folder (DIGIT_STUDIO_HOME): runs, models, checkpoints. */
  home: string
  /** The engine host behind `window.api` (state, pid, restart). */
  engineHost: EngineHost
  /** Every app-channel call the page made, in order: progress updates, notifications, dialogs. */
  calls: { channel: IpcChannel; params: unknown }[]
  /** Every `engine:state` and engine event forwarded to the page. */
  events: IpcEvent[]
  /** Uncaught page errors and console errors, so tests can assert there were none. */
  pageErrors: string[]
  /** Clicks a view in the left navigation ('Train', 'Gallery', 'Classify', 'Runs & Export', 'Engine'). */
  openView(label: ViewLabel): Promise<void>
  /** Saves `test-results/<name>.png` and returns its path. */
  screenshot(name: string): Promise<string>
  /** Closes the browser, the server and the engine. */
  close(): Promise<void>
}

function defaultDialogs(): DialogServices {
  return {
    openFolder: async () => null,
    openFiles: async () => [],
    saveFile: async () => null
  }
}

/**
 * Starts everything and opens the app's page. Call `close()` in `afterAll`/`afterEach`.
 * Throws with a clear message when the renderer is not built or Chromium is missing.
 */
export async function launchApp(options: LaunchOptions = {}): Promise<AppFixture> {
  if (!existsSync(join(RENDERER_DIR, 'index.html'))) {
    throw new Error(`${RENDERER_DIR}/index.html is missing: run "npm run build" first`)
  }
  const executablePath = findChromium()
  const script = await bundleBridge()
  const { server, baseUrl } = await serveRenderer()
  const events: IpcEvent[] = []
  const calls: AppFixture['calls'] = []
  const pageErrors: string[] = []
  let page: Page | null = null

  const emit = (event: IpcEvent): void => {
    events.push(event)
    page
      ?.evaluate(
        (e) => (window as unknown as { __digitStudioEmit(e: unknown): void }).__digitStudioEmit(e),
        // Typed arrays as base64: Playwright would send one object key per byte (binary-codec.ts).
        encodeBinary(event)
      )
      .catch(() => undefined) // the page may be navigating or closed
  }
  const ownHome = options.engineEnv?.DIGIT_STUDIO_HOME
    ? null
    : await mkdtemp(join(tmpdir(), 'digit-studio-e2e-'))
  const engineEnv = {
    // The backend the tests ask for (DIGIT_STUDIO_BACKEND, default auto), unless a test overrides it.
    ...engineBackendEnv(),
    ...options.engineEnv,
    DIGIT_STUDIO_HOME: ownHome ?? options.engineEnv!.DIGIT_STUDIO_HOME
  }
  const engineHost = new EngineHost({
    spawn: (): EngineClient => forkEngine({ env: engineEnv }),
    onState: (e: EngineStateEvent) => emit(e),
    onEvent: emit
  })
  const engineReady = engineHost.start()
  const grants = await PathGrants.load(engineEnv.DIGIT_STUDIO_HOME!)

  // The same handler tables main registers, with test-controlled services behind app channels.
  const versions = { app: 'e2e', electron: '', chrome: '', node: process.versions.node }
  const table: Record<string, CheckedHandler> = {
    ...engineHandlers({
      request: (method, params) => engineHost.request(method, params as never),
      restart: () => engineHost.restart()
    }),
    ...appHandlers({
      versions: () => versions,
      setProgress: () => undefined,
      notify: () => undefined
    }),
    // Dialog answers grant their paths, as main's do, and the engine channels check them.
    ...dialogHandlers({ ...defaultDialogs(), ...options.dialogs }, grants)
  }
  for (const [channel, handler] of Object.entries(options.handlers ?? {})) {
    table[channel] = handler as CheckedHandler
  }
  const handlers = new Map(
    INVOKE_CHANNELS.map((channel) => {
      const inner = table[channel]
      const recorded: CheckedHandler =
        channel.startsWith('app:') || channel.startsWith('dialog:')
          ? (params) => {
              calls.push({ channel, params })
              return inner(params)
            }
          : inner
      return [channel, guarded(channel, [baseUrl], recorded, pathCheck(grants))]
    })
  )

  // launch() gives every browser a fresh temporary profile (user-data-dir) and deletes it on close.
  const browser = await chromium.launch({
    executablePath,
    args: CHROMIUM_ARGS,
    headless: true
  })
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 820 },
    colorScheme: options.colorScheme ?? 'light'
  })
  versions.chrome = browser.version()
  await context.exposeBinding(
    '__digitStudioInvoke',
    async (source, channel: IpcChannel, params: unknown): Promise<IpcReply<unknown>> => {
      const handler = handlers.get(channel)
      if (!handler)
        return {
          ok: false,
          error: { name: 'EngineError', code: 'BAD_REQUEST', message: `unknown channel ${channel}` }
        }
      const reply = await handler(
        { senderFrame: { url: source.frame.url(), parent: source.frame.parentFrame() } },
        decodeBinary(params)
      )
      return encodeBinary(reply) as IpcReply<unknown>
    }
  )
  await context.addInitScript({ content: script })
  page = await context.newPage()
  page.on('pageerror', (err) => pageErrors.push(err.message))
  page.on('console', (msg) => {
    // "Failed to load resource" repeats a failed response, which is recorded with its URL below.
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource'))
      pageErrors.push(msg.text())
  })
  page.on('response', (res) => {
    if (res.status() >= 400) pageErrors.push(`HTTP ${res.status()} ${res.url()}`)
  })

  await engineReady
  await page.goto(`${baseUrl}/index.html`)

  return {
    page,
    context,
    browser,
    baseUrl,
    home: engineEnv.DIGIT_STUDIO_HOME!,
    engineHost,
    calls,
    events,
    pageErrors,
    async openView(label) {
      await page!.getByRole('tab', { name: label, exact: true }).click()
    },
    async screenshot(name) {
      await mkdir(RESULTS_DIR, { recursive: true })
      const path = resolve(RESULTS_DIR, `${name}.png`)
      await page!.screenshot({ path, fullPage: true })
      return path
    },
    async close() {
      await browser.close().catch(() => undefined)
      await new Promise<void>((ok) => server.close(() => ok()))
      await engineHost.stop()
      if (ownHome) await rm(ownHome, { recursive: true, force: true })
    }
  }
}
