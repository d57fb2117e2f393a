/**
 * My digits: the user's own digits, kept in the data home as a labelled folder
 * (`<home>/my-digits/<label>/<name>.png`, the crops as found, readable by Keras
 * `image_dataset_from_directory` and torchvision `ImageFolder` as they are), a root `digits.csv`
 * (source file, date, label history), and the 28x28 model inputs in a parallel folder
 * `<home>/my-digits-inputs/<label>/<name>.png`. The inputs live beside, not inside: a folder
 * inside my-digits would be read as one more class by those tools.
 *
 * Crash safety (atomic writes, and an order that a sweep can always finish): add writes the
 * input, then the crop, then the CSV; delete removes the crop, then the input, then the row;
 * relabel moves the input, then the crop, then updates the row. The sweep at the first call of
 * an engine trusts the crops: a crop without a row gets one, a row without a crop goes, a row
 * whose crop sits in another label folder takes that label, an input follows its crop.
 */
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { PNG } from 'pngjs'
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS, IMAGE_SIZE } from '#shared/mnist'
import {
  FEW_EXAMPLES,
  type DigitsAddParams,
  type DigitsExportResult,
  type DigitsList,
  type MyDigit
} from '#shared/protocol/digits'
import { readDigitAt, readSingleDigit } from '../data/single-digit'
import { encodeIdx } from '../data/idx'
import type { RgbaImage } from '../classify/image/types'
import { sweepTempFiles, writeFileAtomic } from '../store/atomic-write'
import { dataHome } from '../store/paths'
import { formatDigitsCsv, parseDigitsCsv } from './digits-csv'

const CSV = 'digits.csv'
const LABELS = Array.from({ length: 10 }, (_, i) => String(i))

/** `<home>/my-digits`: the labelled folder. */
export function myDigitsDir(home = dataHome()): string {
  return join(home, 'my-digits')
}
function inputsDir(home = dataHome()): string {
  return join(home, 'my-digits-inputs')
}
const cropPath = (label: number, name: string): string => join(myDigitsDir(), String(label), name)
const inputPath = (label: number, name: string): string => join(inputsDir(), String(label), name)

// One change at a time: the app and a CLI share files, but within an engine calls may overlap.
let queue: Promise<unknown> = Promise.resolve()
function serial<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task)
  queue = result.catch(() => undefined)
  return result
}

function encodeRgbaPng(img: RgbaImage): Uint8Array {
  const png = new PNG({ width: img.width, height: img.height })
  png.data = Buffer.from(img.data)
  return new Uint8Array(PNG.sync.write(png, { colorType: 6 }))
}

function encodeGrayPng(pixels: Uint8Array): Uint8Array {
  const opts = { colorType: 0, inputColorType: 0, inputHasAlpha: false } as const
  const png = new PNG({ width: IMAGE_SIZE, height: IMAGE_SIZE, ...opts })
  png.data = Buffer.from(pixels)
  return new Uint8Array(PNG.sync.write(png, opts))
}

/** The 784 input bytes of a stored input PNG (pngjs reads to RGBA: the red channel is the gray). */
async function readInput(label: number, name: string): Promise<Uint8Array | null> {
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

async function readRows(): Promise<MyDigit[]> {
  try {
    return parseDigitsCsv(await readFile(join(myDigitsDir(), CSV), 'utf8'))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
}

const writeRows = (rows: MyDigit[]): Promise<void> =>
  writeFileAtomic(join(myDigitsDir(), CSV), formatDigitsCsv(rows))

/** Names of the visible .png files in each label folder of `root`. */
async function filesByLabel(root: string): Promise<Map<string, number>> {
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

/**
 * Finishes what a crash cut short (see the file comment); returns what it changed, in words.
 * The crops are the truth: nothing the user added is dropped while its image exists.
 */
export async function reconcileMyDigits(): Promise<string[]> {
  const changes: string[] = []
  await sweepTempFiles(myDigitsDir())
  const crops = await filesByLabel(myDigitsDir())
  const inputs = await filesByLabel(inputsDir())
  const rows = await readRows()
  const kept: MyDigit[] = []
  const seen = new Set<string>()
  for (const row of rows) {
    const label = crops.get(row.name)
    if (label === undefined || seen.has(row.name)) {
      changes.push(`${row.name}: row without image removed`)
      continue
    }
    seen.add(row.name)
    if (label !== row.label) {
      changes.push(`${row.name}: relabel to ${label} finished`)
      row.history.push({ label, date: new Date().toISOString() })
      row.label = label
    }
    kept.push(row)
  }
  for (const [name, label] of crops) {
    if (seen.has(name)) continue
    const { mtime } = await stat(cropPath(label, name))
    changes.push(`${name}: image without row recorded`)
    kept.push({
      name,
      label,
      source: '(recovered at start-up)',
      added: mtime.toISOString(),
      history: [{ label, date: mtime.toISOString() }]
    })
  }
  for (const row of kept) {
    const at = inputs.get(row.name)
    if (at === row.label) continue
    if (at !== undefined) {
      await mkdir(join(inputsDir(), String(row.label)), { recursive: true })
      await rename(inputPath(at, row.name), inputPath(row.label, row.name))
      changes.push(`${row.name}: input moved to ${row.label}`)
    } else {
      // The input was never written (or was lost): make it again from the crop, the same way.
      const digit = await readSingleDigit(
        new Uint8Array(await readFile(cropPath(row.label, row.name))),
        row.name
      )
      if (digit.ok) {
        await writeFileAtomic(inputPath(row.label, row.name), encodeGrayPng(digit.input))
        changes.push(`${row.name}: input rebuilt from its crop`)
      }
    }
  }
  for (const [name, label] of inputs) {
    if (!crops.has(name)) {
      await rm(inputPath(label, name), { force: true })
      changes.push(`${name}: input without image removed`)
    }
  }
  if (changes.length > 0) await writeRows(kept)
  return changes
}

let reconciled: Promise<unknown> | null = null
let reconciledHome = ''
/** Runs the sweep once per engine and data home, before the first My digits call. */
function ready(): Promise<unknown> {
  if (!reconciled || reconciledHome !== dataHome()) {
    reconciledHome = dataHome()
    reconciled = serial(reconcileMyDigits)
    reconciled.catch(() => (reconciled = null))
  }
  return reconciled
}

/** Every kept digit (oldest first), counts per label and the labels with few examples. */
export async function listDigits(withImages = false): Promise<DigitsList> {
  await ready()
  return serial(async () => {
    const items = await readRows()
    if (withImages) {
      for (const d of items) {
        const input = await readInput(d.label, d.name)
        if (input) d.input = input
      }
    }
    const counts = new Array<number>(10).fill(0)
    for (const d of items) counts[d.label]++
    const fewExamples =
      items.length === 0 ? [] : LABELS.map(Number).filter((l) => counts[l] < FEW_EXAMPLES)
    return { dir: myDigitsDir(), total: items.length, counts, fewExamples, items }
  })
}

function newName(): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  const hex = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0')
  return `${stamp}-${hex}.png`
}

/** Cuts the digit out of the file (Classify's preprocessing) and keeps it under `label`. */
export async function addDigit(params: DigitsAddParams): Promise<MyDigit> {
  await ready()
  const { file, label } = params
  const digit = params.box
    ? await readDigitAt(file.bytes, file.name, params.page ?? 0, params.box)
    : await readSingleDigit(file.bytes, file.name)
  if (!digit.ok) throw new EngineError('IMAGE_INVALID', `${file.name}: ${digit.reason}`)
  return serial(async () => {
    const rows = await readRows()
    let name = newName()
    while (rows.some((r) => r.name === name)) name = newName()
    const date = new Date().toISOString()
    await writeFileAtomic(inputPath(label, name), encodeGrayPng(digit.input))
    await writeFileAtomic(cropPath(label, name), encodeRgbaPng(digit.crop))
    const entry: MyDigit = {
      name,
      label,
      source: file.name,
      added: date,
      history: [{ label, date }]
    }
    await writeRows([...rows, entry])
    return { ...entry, input: digit.input }
  })
}

function notKept(name: string): EngineError {
  return new EngineError('BAD_REQUEST', `${name}: no such digit in My digits`)
}

/** Removes kept digits (image, input, row); an unknown name is an error and nothing is removed. */
export async function deleteDigits(names: string[]): Promise<{ deleted: number }> {
  await ready()
  return serial(async () => {
    const rows = await readRows()
    const doomed = rows.filter((r) => names.includes(r.name))
    const missing = names.find((n) => !doomed.some((r) => r.name === n))
    if (missing) throw notKept(missing)
    for (const r of doomed) {
      await rm(cropPath(r.label, r.name), { force: true })
      await rm(inputPath(r.label, r.name), { force: true })
    }
    await writeRows(rows.filter((r) => !names.includes(r.name)))
    return { deleted: doomed.length }
  })
}

/** Gives a kept digit another label: both files move to its folder, the history grows. */
export async function relabelDigit(name: string, label: number): Promise<MyDigit> {
  await ready()
  return serial(async () => {
    const rows = await readRows()
    const row = rows.find((r) => r.name === name)
    if (!row) throw notKept(name)
    if (row.label === label) return row
    await mkdir(join(inputsDir(), String(label)), { recursive: true })
    await mkdir(join(myDigitsDir(), String(label)), { recursive: true })
    await rename(inputPath(row.label, name), inputPath(label, name))
    await rename(cropPath(row.label, name), cropPath(label, name))
    row.label = label
    row.history.push({ label, date: new Date().toISOString() })
    await writeRows(rows)
    return row
  })
}

/**
 * One pair of MNIST IDX files in `out`: `my-digits-images-idx3-ubyte` (the model inputs) and
 * `my-digits-labels-idx1-ubyte`, in the CSV's order; each written atomically.
 */
export async function exportDigitsIdx(out: string): Promise<DigitsExportResult> {
  const { items } = await listDigits(true)
  const usable = items.filter((d) => d.input)
  if (usable.length === 0)
    throw new EngineError('BAD_REQUEST', 'My digits is empty: nothing to export')
  const pixels = new Uint8Array(usable.length * IMAGE_PIXELS)
  usable.forEach((d, i) => pixels.set(d.input!, i * IMAGE_PIXELS))
  const images = join(out, 'my-digits-images-idx3-ubyte')
  const labels = join(out, 'my-digits-labels-idx1-ubyte')
  await writeFileAtomic(images, encodeIdx([usable.length, IMAGE_SIZE, IMAGE_SIZE], pixels))
  await writeFileAtomic(
    labels,
    encodeIdx(
      [usable.length],
      Uint8Array.from(usable, (d) => d.label)
    )
  )
  return { images, labels, count: usable.length }
}
