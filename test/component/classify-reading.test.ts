// RELIABILITY R7: dropped files are read one at a time and sent batch by batch, so memory holds
// at most one request's worth of images, however many files the user drops.
import { describe, expect, it, vi } from 'vitest'
import type { ClassifyImagesParams, FileResult } from '#shared/protocol/classify'
import { ClassifyState, type ClassifyApi } from '../../src/renderer/src/lib/state/classify.svelte'

const MB = 2 ** 20

/** A File that claims `size` bytes and records when it is read (its bytes are tiny). */
function bigFile(
  name: string,
  size: number,
  log: string[],
  reading: { now: number; max: number }
): File {
  const file = new File([new Uint8Array([1, 2, 3])], name)
  Object.defineProperty(file, 'size', { value: size })
  file.arrayBuffer = async () => {
    reading.now++
    reading.max = Math.max(reading.max, reading.now)
    log.push(`read ${name}`)
    await new Promise((r) => setTimeout(r, 1))
    reading.now--
    return new Uint8Array([1, 2, 3]).buffer
  }
  return file
}

describe('reading dropped files (RELIABILITY R7)', () => {
  it('reads one file at a time, and sends each batch before reading the next', async () => {
    const log: string[] = []
    const reading = { now: 0, max: 0 }
    const images = vi.fn(async (p: ClassifyImagesParams) => {
      log.push(`send ${p.files.map((f) => f.name).join(',')}`)
      return {
        results: p.files.map((f): FileResult => ({
          name: f.name,
          ok: false,
          error: { name: 'E', code: 'IMAGE_INVALID', message: 'x' }
        })),
        modelDir: ''
      }
    })
    const state = new ClassifyState({ classify: { images } } as unknown as ClassifyApi)
    // Four 20 MB scans: two per 32 MB request would be over, so one per request.
    const files = ['a', 'b', 'c', 'd'].map((n) => bigFile(`${n}.png`, 20 * MB, log, reading))
    await state.classifyFiles(files)
    expect(reading.max).toBe(1)
    expect(log).toEqual([
      'read a.png',
      'send a.png',
      'read b.png',
      'send b.png',
      'read c.png',
      'send c.png',
      'read d.png',
      'send d.png'
    ])
    expect(state.results.map((r) => r.name)).toEqual(['a.png', 'b.png', 'c.png', 'd.png'])
  })

  it('a file that cannot be read gets FILE_UNREADABLE and the others are still sent', async () => {
    const images = vi.fn(async (p: ClassifyImagesParams) => ({
      results: p.files.map((f): FileResult => ({
        name: f.name,
        ok: false,
        error: { name: 'E', code: 'IMAGE_INVALID', message: 'x' }
      })),
      modelDir: ''
    }))
    const state = new ClassifyState({ classify: { images } } as unknown as ClassifyApi)
    const gone = new File(['x'], 'gone.png')
    gone.arrayBuffer = () => Promise.reject(new Error('NotFoundError: the file was moved'))
    const ok = new File([new Uint8Array([1])], 'ok.png')
    ok.arrayBuffer = async () => new Uint8Array([1]).buffer
    await state.classifyFiles([gone, ok])
    expect(state.results[0]).toMatchObject({ name: 'gone.png', error: { code: 'FILE_UNREADABLE' } })
    expect(state.results[0].ok ? '' : state.results[0].error.message).toContain('gone.png')
    expect(images.mock.calls.map((c) => c[0].files.map((f) => f.name))).toEqual([['ok.png']])
  })
})
