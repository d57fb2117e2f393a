import type { SerializedError } from '#shared/errors'
import type { ImageFormat, RgbaImage } from './types'

/** Engine thread -> decode thread: open a file (header only), then decode its pages one by one. */
export type DecodeRequest =
  { type: 'open'; name: string; bytes: Uint8Array } | { type: 'page'; index: number }

/** Decode thread -> engine thread: one reply per request. */
export type DecodeReply =
  | { type: 'opened'; format: ImageFormat; pageCount: number }
  | { type: 'page'; page: RgbaImage }
  | { type: 'error'; error: SerializedError }
