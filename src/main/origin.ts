/**
 * Origin of a URL as Chromium sees it. Node's `URL` gives custom schemes an opaque origin
 * ('null'), yet Chromium gives our privileged standard scheme (app://) a real tuple origin; all
 * security checks in main compare origins through this one function, never with startsWith.
 */
import { APP_SCHEME } from './app-protocol'

/** Schemes registered as `standard` (see APP_SCHEME_PRIVILEGES): they get tuple origins. */
const STANDARD_CUSTOM_SCHEMES = new Set([`${APP_SCHEME}:`])

/** `scheme://host[:port]`, or null for unparsable URLs and opaque origins (data:, file:, ...). */
export function originOf(url: string): string | null {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return null
  }
  if (parsed.origin !== 'null') return parsed.origin
  if (STANDARD_CUSTOM_SCHEMES.has(parsed.protocol) && parsed.host !== '') {
    // Standard schemes have case-insensitive hosts, like http.
    return `${parsed.protocol}//${parsed.host.toLowerCase()}`
  }
  return null
}
