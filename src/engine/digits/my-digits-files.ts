/**
 * Where My digits lives on disk and how its files are read and written: the labelled folder of
 * crops, the parallel folder of 28x28 inputs, and `digits.csv` (see my-digits.ts for the layout
 * and the crash-safe order of writes).
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { IMAGE_PIXELS, IMAGE_SIZE } from '#shared/mnist'
import type { MyDigit } from '#shared/protocol/digits'
import type { RgbaImage } from '../classify/image/types'
import { sweepTempFiles, writeFileAtomic } from '../store/atomic-write'
import { dataHome } from '../store/paths'
import { formatDigitsCsv, parseDigitsCsv } from './digits-csv'

const CSV = 'digits.csv'
export const LABELS = Array.from({ length: 10 }, (_, i) => String(i))

/** `<home>/my-digits`: the labelled folder. */
export function myDigitsDir(home = dataHome()): string {
  return join(home, 'my-digits')
}
export function inputsDir(home = dataHome()): string {
  return join(home, 'my-digits-inputs')
}
export const cropPath = (label: number, name: string): string =>
  join(myDigitsDir(), String(label), name)
export const inputPath = (label: number, name: string): string =>
  join(inputsDir(), String(label), name)

export function encodeRgbaPng(img: RgbaImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height })
  png.data = Buffer.from(img.data)
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }))
}

export function encodeGrayPng(pixels: Uint8Array): Uint8Array {
  const opts = { colorType: 0, inputColorType: 0, inputHasAlpha: false } as const
  const png = new PNG({ width: IMAGE_SIZE, height: IMAGE_SIZE, ...opts })
  png.data = Buffer.from(pixels)
  return new Uint8Array(PNG.sync.write(png, opts))
}

/** The 784 input bytes of a stored input PNG (pngjs reads to RGBA: the red channel is the gray). */
export async function readInput(label: number, name: string): Promise<Uint8Array | null> {
  try {
    const png = PNG.sync.read(await readFile(inputPath(label, name)))
    if (png.width !== IMAGE_SIZE || png.height !== IMAGE_SIZE) return null
    const out = new Uint8Array(IMAGE_PIXELS)
    for (let i = 0; i < IMAGE_PIXELS; i++) out[i] = png.data[i * 4]
    return out
  } catch {
    return null
  }
}

export async function readRows(): Promise<MyDigit[]> {
  try {
    return parseDigitsCsv(await readFile(join(myDigitsDir(), CSV), 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

export const writeRows = (rows: MyDigit[]): Promise<void> =>
  writeFileAtomic(join(myDigitsDir(), CSV), formatDigitsCsv(rows))

/** Names of the visible .png files in each label folder of `root`. */
export async function filesByLabel(root: string): Promise<Map<string, number>> {
  const found = new Map<string, number>()
  for (const label of LABELS) {
    const dir = join(root, label)
    if (!existsSync(dir)) continue
    await sweepTempFiles(dir)
    for (const name of await readdir(dir)) {
      if (!name.startsWith('.') && name.endsWith('.png')) found.set(name, Number(label))
    }
  }
  return found
}
