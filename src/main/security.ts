/**
 * Navigation, new-window and permission rules for every web contents (RELIABILITY S3, S4).
 * Only types come from electron, so the rules are unit-tested with plain fakes.
 */
import type { Session, WebContents } from 'electron'
import { originOf } from './origin'

/** Origins the UI may open in the user's browser (help links); https only, compared by origin. */
const EXTERNAL_ALLOWLIST: readonly string[] = [
  'https://github.com',
  'https://www.tensorflow.org',
  'https://js.tensorflow.org',
  'https://www.electronjs.org'
]

/** True when `url` belongs to one of the app's own origins (app:// or the dev server). */
export function isAllowedNavigation(url: string, appOrigins: readonly string[]): boolean {
  const origin = originOf(url)
  return origin !== null && appOrigins.includes(origin)
}

/** True when `url` may be handed to `shell.openExternal`: https on an allowlisted origin. */
export function isSafeExternal(
  url: string,
  allowlist: readonly string[] = EXTERNAL_ALLOWLIST
): boolean {
  const origin = originOf(url)
  return origin !== null && allowlist.includes(origin) && new URL(url).protocol === 'https:'
}

/** The part of WebContents the guard needs; a fake with the same shape is enough in tests. */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>

/**
 * Cancels navigation away from the app, denies every new window (allowlisted links go to the
 * system browser instead) and refuses <webview>.
 */
export function guardWebContents(
  contents: GuardedContents,
  appOrigins: readonly string[],
  openExternal: (url: string) => void
): void {
  const block = (event: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url, appOrigins)) event.preventDefault()
  }
  contents.on('will-navigate', (event) => block(event, event.url))
  contents.on('will-redirect', (event) => block(event, event.url))
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternal(url)) openExternal(url)
    return { action: 'deny' }
  })
}

/** The part of Session the permission rules need. */
export type PermissionSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>

/** Denies every permission request and check: the app needs no camera, mic, geolocation, ... */
export function denyAllPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
  session.setDevicePermissionHandler(() => false)
}
