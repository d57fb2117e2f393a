/** RELIABILITY S3 (navigation, new windows, external links) and S4 (permissions). */
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { APP_ORIGIN } from '../../src/main/app-protocol'
import { originOf } from '../../src/main/origin'
import {
  denyAllPermissions,
  guardWebContents,
  isAllowedNavigation,
  isSafeExternal,
  type GuardedContents,
  type PermissionSession
} from '../../src/main/security'

const ORIGINS = [APP_ORIGIN, 'http://localhost:5173']

describe('originOf', () => {
  it('gives app:// a tuple origin (Node says "null")', () => {
    expect(originOf('app://digit-studio/index.html')).toBe('app://digit-studio')
    expect(originOf('APP://Digit-Studio/x')).toBe('app://digit-studio')
    expect(originOf('https://github.com/a?b#c')).toBe('https://github.com')
  })
  it('refuses opaque and broken URLs', () => {
    for (const url of [
      'data:text/html,hi',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'not a url',
      '',
      'blob:null/1'
    ]) {
      expect(originOf(url), url).toBeNull()
    }
  })
})

describe('isAllowedNavigation (S3)', () => {
  it('allows the app and the dev server', () => {
    expect(isAllowedNavigation('app://digit-studio/index.html', ORIGINS)).toBe(true)
    expect(isAllowedNavigation('app://digit-studio/assets/x.js?y#z', ORIGINS)).toBe(true)
    expect(isAllowedNavigation('http://localhost:5173/', ORIGINS)).toBe(true)
  })

  it.each([
    'app://digit-studio.evil.com/index.html',
    'app://evil.com/app://digit-studio/',
    'app://digit-studio@evil.com/',
    'app://evil/digit-studio',
    'https://evil.com/#app://digit-studio',
    'https://digit-studio/',
    'http://localhost:5174/',
    'http://localhost.evil.com:5173/',
    'https://localhost:5173/',
    'http://127.0.0.1:5173/',
    'javascript:alert(document.domain)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'about:blank',
    'blob:app://digit-studio/1234',
    'chrome://settings',
    '//evil.com',
    ''
  ])('refuses %s', (url) => {
    expect(isAllowedNavigation(url, ORIGINS)).toBe(false)
  })
})

describe('isSafeExternal (S3)', () => {
  it('opens allowlisted https links', () => {
    expect(isSafeExternal('https://github.com/tensorflow/tfjs/issues/8388')).toBe(true)
    expect(isSafeExternal('https://www.tensorflow.org/js')).toBe(true)
  })
  it.each([
    'http://github.com/',
    'https://github.com.evil.com/',
    'https://evil.com/https://github.com',
    'https://github.com@evil.com/',
    'https://gist.github.com/',
    'file:///C:/Windows/System32/calc.exe',
    'smb://evil.com/share',
    'ms-msdt:/id PCWDiagnostic',
    'javascript:alert(1)',
    'app://digit-studio/index.html'
  ])('refuses %s', (url) => {
    expect(isSafeExternal(url)).toBe(false)
  })
})

/** A stand-in for WebContents: records the listeners and the window-open handler. */
class FakeContents extends EventEmitter {
  openHandler: ((details: { url: string }) => { action: string }) | null = null
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.openHandler = handler
  }
}

function navigate(contents: FakeContents, event: string, url: string): boolean {
  let prevented = false
  contents.emit(event, { url, preventDefault: () => (prevented = true) })
  return prevented
}

describe('guardWebContents (S3)', () => {
  const setup = (): { contents: FakeContents; opened: string[] } => {
    const contents = new FakeContents()
    const opened: string[] = []
    guardWebContents(contents as unknown as GuardedContents, ORIGINS, (url) => opened.push(url))
    return { contents, opened }
  }

  it('cancels navigation and redirects away from the app, keeps in-app ones', () => {
    const { contents } = setup()
    expect(navigate(contents, 'will-navigate', 'https://evil.com/')).toBe(true)
    expect(navigate(contents, 'will-redirect', 'file:///etc/passwd')).toBe(true)
    expect(navigate(contents, 'will-navigate', 'app://digit-studio/index.html')).toBe(false)
  })

  it('refuses <webview>', () => {
    const { contents } = setup()
    expect(navigate(contents, 'will-attach-webview', 'app://digit-studio/')).toBe(true)
  })

  it('denies every new window; only allowlisted links reach the system browser', () => {
    const { contents, opened } = setup()
    expect(contents.openHandler!({ url: 'https://github.com/x' })).toEqual({ action: 'deny' })
    expect(contents.openHandler!({ url: 'https://evil.com/' })).toEqual({ action: 'deny' })
    expect(contents.openHandler!({ url: 'app://digit-studio/index.html' })).toEqual({
      action: 'deny'
    })
    expect(opened).toEqual(['https://github.com/x'])
  })
})

describe('denyAllPermissions (S4)', () => {
  // Every permission name Electron 45 documents for the request and check handlers.
  const PERMISSIONS = [
    'clipboard-read',
    'clipboard-sanitized-write',
    'display-capture',
    'fullscreen',
    'geolocation',
    'idle-detection',
    'media',
    'mediaKeySystem',
    'midi',
    'midiSysex',
    'notifications',
    'pointerLock',
    'keyboardLock',
    'openExternal',
    'speaker-selection',
    'storage-access',
    'top-level-storage-access',
    'window-management',
    'unknown',
    'fileSystem',
    'hid',
    'serial',
    'usb',
    'deprecated-sync-clipboard-read'
  ]

  it('answers no to every request, check and device permission', () => {
    const handlers: {
      request?: (
        wc: unknown,
        permission: string,
        cb: (granted: boolean) => void,
        details: unknown
      ) => void
      check?: (wc: unknown, permission: string, origin: string, details: unknown) => boolean
      device?: (details: unknown) => boolean
    } = {}
    const session = {
      setPermissionRequestHandler: (h: typeof handlers.request) => (handlers.request = h),
      setPermissionCheckHandler: (h: typeof handlers.check) => (handlers.check = h),
      setDevicePermissionHandler: (h: typeof handlers.device) => (handlers.device = h)
    }
    denyAllPermissions(session as unknown as PermissionSession)
    for (const permission of PERMISSIONS) {
      const answers: boolean[] = []
      handlers.request!(null, permission, (granted) => answers.push(granted), {})
      expect(answers, permission).toEqual([false])
      expect(handlers.check!(null, permission, APP_ORIGIN, {}), permission).toBe(false)
    }
    expect(handlers.device!({ deviceType: 'usb', origin: APP_ORIGIN })).toBe(false)
  })
})
