/**
 * Labelled-folder datasets: `<dir>/<label>/<file>`, the layout of Keras
 * `image_dataset_from_directory` and torchvision `ImageFolder`, with label folders named 0-9.
 * Every image goes through Classify's preprocessing (readSingleDigit) and must hold exactly one
 * digit; every file that can't be used is listed with its reason, never silently dropped.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS } from '#shared/mnist'
import type { SkippedImage } from '#shared/protocol/training'
import { readSingleDigit } from './single-digit'

const LABEL_FOLDER = /^[0-9]$/
const IMAGE_FILE = /\.(png|jpe?g|gif|bmp|tiff?|webp|pdf)$/i

/** The usable images of a labelled folder, in a fixed order (label, then file name). */
interface LabelledImages {
  images: Uint8Array
  labels: Uint8Array
  count: number
  /** `<label>/<file>` of each image kept, in the same order. */
  files: string[]
  skipped: SkippedImage[]
}

/** Visible entries only: dot files are temp files of an atomic write or system litter. */
async function visibleEntries(dir: string): Promise<{ name: string; isDir: boolean }[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  return entries
    .filter((e) => !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, isDir: e.isDirectory() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}

/** True when `dir` has at least one label folder (0-9): the layout that tells it from IDX files. */
export async function isLabelledFolder(dir: string): Promise<boolean> {
  if (!existsSync(dir) || !(await stat(dir)).isDirectory()) return false
  return (await visibleEntries(dir)).some((e) => e.isDir && LABEL_FOLDER.test(e.name))
}

/**
 * Reads every image of a labelled folder. Throws DATASET_INVALID naming the folder when it has no
 * label folder, or when not one image in it holds a single digit (with the first reasons).
 */
export async function readLabelledFolder(dir: string): Promise<LabelledImages> {
  if (!(await isLabelledFolder(dir))) {
    throw new EngineError(
      'DATASET_INVALID',
      `${dir}: not a labelled folder: expected folders named 0-9 holding one image per digit (<label>/<file>.png)`
    )
  }
  const skipped: SkippedImage[] = []
  const inputs: Uint8Array[] = []
  const labels: number[] = []
  const files: string[] = []
  let seen = 0
  for (const entry of await visibleEntries(dir)) {
    if (!entry.isDir) {
      // An image at the root is a user's mistake worth a line; a CSV or README there is the
      // folder's own notes (My digits keeps digits.csv at its root), not data.
      if (IMAGE_FILE.test(entry.name))
        skipped.push({ file: entry.name, reason: 'not inside a label folder (0-9)' })
      continue
    }
    if (!LABEL_FOLDER.test(entry.name)) {
      skipped.push({
        file: `${entry.name}/`,
        reason: `folder name "${entry.name}" is not a digit 0-9: its images are not used`
      })
      continue
    }
    const label = Number(entry.name)
    for (const file of await visibleEntries(join(dir, entry.name))) {
      const rel = `${entry.name}/${file.name}`
      seen++
      if (file.isDir) {
        skipped.push({ file: `${rel}/`, reason: 'a folder inside a label folder: not used' })
        continue
      }
      let bytes: Uint8Array
      try {
        bytes = new Uint8Array(await readFile(join(dir, rel)))
      } catch (err) {
        skipped.push({ file: rel, reason: `unreadable (${(err as Error).message})` })
        continue
      }
      const digit = await readSingleDigit(bytes, rel)
      if (!digit.ok) {
        skipped.push({ file: rel, reason: digit.reason })
        continue
      }
      inputs.push(digit.input)
      labels.push(label)
      files.push(rel)
    }
  }
  if (inputs.length === 0) {
    const why = skipped
      .slice(0, 3)
      .map((s) => `${s.file}: ${s.reason}`)
      .join('; ')
    throw new EngineError(
      'DATASET_INVALID',
      seen === 0
        ? `${dir}: the label folders hold no images`
        : `${dir}: none of its ${seen} images holds exactly one digit (${why})`
    )
  }
  const images = new Uint8Array(inputs.length * IMAGE_PIXELS)
  inputs.forEach((img, i) => images.set(img, i * IMAGE_PIXELS))
  return { images, labels: Uint8Array.from(labels), count: inputs.length, files, skipped }
}
