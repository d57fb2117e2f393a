import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import { IMAGE_PIXELS, IMAGE_SIZE } from '#shared/mnist'
import type { DigitsExportResult } from '#shared/protocol/digits'
import { encodeIdx } from '../data/idx'
import { writeFileAtomic } from '../store/atomic-write'
import { listDigits } from './my-digits'

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
