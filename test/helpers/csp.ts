/** The CSP RELIABILITY S2 asks for, and a parser for the one in an index.html. */

/** Directive -> sources, exactly as the production policy must read. */
export const REQUIRED_CSP: Record<string, string[]> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'blob:', 'data:'],
  'connect-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"]
}

/** Parses the `Content-Security-Policy` meta tag of an HTML document; throws when absent. */
export function parseCsp(html: string): Record<string, string[]> {
  const match = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html)
  if (!match) throw new Error('no Content-Security-Policy meta tag')
  const policy: Record<string, string[]> = {}
  for (const part of match[1].split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/)
    if (name) policy[name] = sources
  }
  return policy
}
