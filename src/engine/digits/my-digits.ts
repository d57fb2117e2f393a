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
import { mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import {
  FEW_EXAMPLES,
  type DigitsAddParams,
  type DigitsList,
  type MyDigit
} from '#shared/protocol/digits'
import { readDigitAt, readSingleDigit } from '../data/single-digit'
import { writeFileAtomic } from '../store/atomic-write'
import { dataHome } from '../store/paths'
import {
  cropPath,
  encodeGrayPng,
  encodeRgbaPng,
  inputPath,
  inputsDir,
  LABELS,
  myDigitsDir,
  readInput,
  readRows,
  writeRows
} from './my-digits-files'
import { reconcileMyDigits } from './reconcile'

// One change at a time: the app and a CLI share files, but within an engine calls may overlap.
let queue: Promise<unknown> = Promise.resolve()
function serial<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task)
  queue = result.catch(() => undefined)
  return result
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
