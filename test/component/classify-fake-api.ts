// A fake classify api for the Classify view's tests, with files and drops jsdom can carry.
import { vi } from 'vitest'
import type { ClassifyApi } from '../../src/renderer/src/lib/state/classify.svelte'
import type {
  ClassifyImagesParams,
  ClassifyImagesResult,
  FileResult
} from '#shared/protocol/classify'

// jsdom's Blob has no arrayBuffer(); Chromium and Electron do. FileReader reads the same bytes.
if (!('arrayBuffer' in Blob.prototype)) {
  Object.defineProperty(Blob.prototype, 'arrayBuffer', {
    configurable: true,
    writable: true,
    value(this: Blob): Promise<ArrayBuffer> {
      return new Promise((resolve, reject) => {
        const reader = new FileReader()
        reader.onload = () => resolve(reader.result as ArrayBuffer)
        reader.onerror = () => reject(reader.error)
        reader.readAsArrayBuffer(this)
      })
    }
  })
}

const gray = (w: number, h: number) => ({
  width: w,
  height: h,
  channels: 1 as const,
  data: new Uint8Array(w * h)
})

/** A fake engine: every file whose first byte is 0x89 "reads" as the digits in its name. */
export function fakeApi(impl?: (p: ClassifyImagesParams) => Promise<ClassifyImagesResult>) {
  const images = vi.fn(
    impl ??
      (async (p: ClassifyImagesParams): Promise<ClassifyImagesResult> => ({
        modelDir: '/models/last',
        modelSource: 'trained',
        millis: 5,
        results: p.files.map((f): FileResult => {
          if (f.bytes[0] !== 0x89)
            return {
              name: f.name,
              ok: false,
              error: {
                name: 'EngineError',
                code: 'IMAGE_UNSUPPORTED',
                message: `${f.name}: a text file`
              }
            }
          const digits = f.name.replace(/\D/g, '') || '7'
          const predictions = [...digits].map((d, i) => ({
            label: Number(d),
            confidence: i === 0 ? 0.55 : 0.97,
            top3: [
              { label: Number(d), probability: i === 0 ? 0.55 : 0.97 },
              { label: 1, probability: 0.02 },
              { label: 2, probability: 0.01 }
            ],
            lowConfidence: i === 0,
            box: [i * 30, 0, 28, 28] as [number, number, number, number],
            line: 0,
            mask: gray(20, 28),
            input: gray(28, 28)
          }))
          return {
            name: f.name,
            ok: true,
            format: 'png',
            digits,
            millis: 3,
            pages: [
              {
                page: 0,
                width: 300,
                height: 60,
                digits,
                predictions,
                inverted: true,
                threshold: 80,
                thumbnail: {
                  width: 300,
                  height: 60,
                  channels: 4,
                  data: new Uint8Array(300 * 60 * 4)
                },
                mask: gray(300, 60)
              }
            ]
          }
        })
      }))
  )
  return { api: { classify: { images } } as unknown as ClassifyApi, images }
}

export const png = (name: string): File =>
  new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], name, { type: 'image/png' })
export const text = (name: string): File => new File(['hello'], name, { type: 'image/png' })

/** jsdom has no DataTransfer; the view only reads `files`, `items` and `types`. */
export function dataTransfer(files: File[]): DataTransfer {
  return { files, items: [], types: ['Files'], dropEffect: 'none' } as unknown as DataTransfer
}
