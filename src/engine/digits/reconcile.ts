import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { MyDigit } from '#shared/protocol/digits'
import { readSingleDigit } from '../data/single-digit'
import { sweepTempFiles, writeFileAtomic } from '../store/atomic-write'
import {
  cropPath,
  encodeGrayPng,
  filesByLabel,
  inputPath,
  inputsDir,
  myDigitsDir,
  readRows,
  writeRows
} from './my-digits-files'

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
