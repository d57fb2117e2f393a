/**
 * Carries `Uint8Array`s across the e2e page bridge cheaply. Playwright serialises a typed array
 * passed through `exposeBinding` / `evaluate` as a plain object with one key per byte, which made
 * one gallery page of 240 digits take seconds (the engine answers in ~10 ms). Electron's IPC
 * structured-clones typed arrays, so the bridge encodes them as base64 on the Node side and the
 * page revives them, to keep the browser tests representative of the app.
 */
const TAG = '__u8'
/** Float32Arrays (explain maps and activations) travel as the base64 of their bytes. */
const F32_TAG = '__f32'

function toBase64(bytes: Uint8Array): string {
  if (typeof Buffer !== 'undefined')
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
  let s = ''
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i])
  return btoa(s)
}

function fromBase64(text: string): Uint8Array {
  const s = atob(text)
  const out = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i)
  return out
}

/** Replaces every Uint8Array in `value` (deeply) with `{ __u8: base64 }`. */
export function encodeBinary(value: unknown): unknown {
  if (value instanceof Uint8Array) return { [TAG]: toBase64(value) }
  if (value instanceof Float32Array)
    return { [F32_TAG]: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) }
  if (Array.isArray(value)) return value.map(encodeBinary)
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = encodeBinary(v)
    return out
  }
  return value
}

/** Inverse of `encodeBinary`, run in the page. */
export function decodeBinary(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(decodeBinary)
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record[TAG] === 'string' && Object.keys(record).length === 1)
      return fromBase64(record[TAG])
    if (typeof record[F32_TAG] === 'string' && Object.keys(record).length === 1)
      return new Float32Array(fromBase64(record[F32_TAG]).buffer)
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(record)) out[k] = decodeBinary(v)
    return out
  }
  return value
}
