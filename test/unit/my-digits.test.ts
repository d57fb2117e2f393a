import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IMAGE_PIXELS } from '#shared/mnist'
import { parseIdxImages, parseIdxLabels } from '#engine/data/idx'
import { readLabelledFolder } from '#engine/data/labelled-folder'
import { addDigit, deleteDigits, listDigits, relabelDigit } from '#engine/digits/my-digits'
import { reconcileMyDigits } from '#engine/digits/reconcile'
import { myDigitsDir } from '#engine/digits/my-digits-files'
import { exportDigitsIdx } from '#engine/digits/export-idx'
import { formatDigitsCsv, parseDigitsCsv } from '#engine/digits/digits-csv'
import { encodePng } from '../fixtures/encode'
import { renderScan } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'

let home: string
const saved = process.env.DIGIT_STUDIO_HOME
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-my-digits-'))
  process.env.DIGIT_STUDIO_HOME = home
})
afterAll(async () => {
  process.env.DIGIT_STUDIO_HOME = saved
  await rm(home, { recursive: true, force: true })
})

async function scan(offset: number, count = 1): Promise<Uint8Array> {
  return encodePng(
    renderScan(await testDigits(offset, count), { seed: offset, scale: 3, margin: 12, specks: 0 })
  )
}

describe('My digits store', () => {
  it('keeps the crop as found, the model input beside it and a CSV row', async () => {
    const added = await addDigit({
      label: 7,
      file: { name: 'scan, "one".png', bytes: await scan(0) }
    })
    expect(added.input?.length).toBe(IMAGE_PIXELS)
    const crop = join(myDigitsDir(), '7', added.name)
    expect(existsSync(crop)).toBe(true)
    expect(existsSync(join(home, 'my-digits-inputs', '7', added.name))).toBe(true)
    // The crop is dark ink on light paper, as found; the folder is a labelled folder any tool reads.
    const read = await readLabelledFolder(myDigitsDir())
    expect(read.count).toBe(1)
    expect(read.skipped).toEqual([])
    const list = await listDigits(true)
    expect(list.total).toBe(1)
    expect(list.counts[7]).toBe(1)
    expect(list.fewExamples).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    expect(list.items[0]).toMatchObject({ name: added.name, label: 7, source: 'scan, "one".png' })
    expect(list.items[0].input).toEqual(added.input)
  })

  it('takes the digit at a box from a page of several, and refuses a file without one digit', async () => {
    const page = await scan(1, 3)
    await expect(addDigit({ label: 2, file: { name: 'row.png', bytes: page } })).rejects.toThrow(
      /row.png: 3 digits found/
    )
    // The second digit of the row (render-scan puts 12 px margin and 84 px cells).
    const picked = await addDigit({
      label: 1,
      file: { name: 'row.png', bytes: page },
      box: [110, 20, 60, 60]
    })
    expect(picked.label).toBe(1)
    await expect(
      addDigit({ label: 1, file: { name: 'notes.png', bytes: new TextEncoder().encode('hi') } })
    ).rejects.toThrow(/notes.png: not an image/)
  })

  it('relabels (files move, history grows), deletes, and exports one IDX pair', async () => {
    const { items } = await listDigits()
    const first = items[0]
    const moved = await relabelDigit(first.name, 9)
    expect(moved.history.map((h) => h.label)).toEqual([7, 9])
    expect(existsSync(join(myDigitsDir(), '9', first.name))).toBe(true)
    expect(existsSync(join(myDigitsDir(), '7', first.name))).toBe(false)
    const out = join(home, 'export')
    const exported = await exportDigitsIdx(out)
    expect(exported.count).toBe(2)
    const images = parseIdxImages(await readFile(exported.images), exported.images)
    expect(images.dims).toEqual([2, 28, 28])
    const labels = parseIdxLabels(await readFile(exported.labels), exported.labels)
    expect([...labels.data]).toEqual([9, 1])
    await expect(deleteDigits(['nope.png'])).rejects.toThrow(/nope.png: no such digit/)
    expect(await deleteDigits([items[1].name])).toEqual({ deleted: 1 })
    expect((await listDigits()).total).toBe(1)
    expect(existsSync(join(home, 'my-digits-inputs', '1', items[1].name))).toBe(false)
  })

  it('after a crash: an image without a row is recorded, a cut relabel finishes, a row without image goes', async () => {
    const { items } = await listDigits()
    const kept = items[0]
    // A crash after the crop was written but before the CSV: the image is there, the row is not.
    const orphan = await addDigit({ label: 3, file: { name: 'b.png', bytes: await scan(30) } })
    const csv = join(myDigitsDir(), 'digits.csv')
    const rows = parseDigitsCsv(await readFile(csv, 'utf8'))
    await writeFile(csv, formatDigitsCsv(rows.filter((r) => r.name !== orphan.name)))
    // A relabel cut after moving the crop (9 -> 4) but before the input and the CSV.
    await rename(join(myDigitsDir(), '9', kept.name), join(myDigitsDir(), '4', kept.name)).catch(
      async () => {
        const { mkdir } = await import('node:fs/promises')
        await mkdir(join(myDigitsDir(), '4'))
        await rename(join(myDigitsDir(), '9', kept.name), join(myDigitsDir(), '4', kept.name))
      }
    )
    // A delete cut after removing the files: a row without an image.
    const ghost = { ...kept, name: '20260101-000000-dead.png' }
    await writeFile(
      csv,
      (await readFile(csv, 'utf8')) + formatDigitsCsv([ghost]).split('\n')[1] + '\n'
    )
    const changes = await reconcileMyDigits()
    expect(changes.join('\n')).toMatch(/image without row recorded/)
    expect(changes.join('\n')).toMatch(/relabel to 4 finished/)
    expect(changes.join('\n')).toMatch(/row without image removed/)
    const after = parseDigitsCsv(await readFile(csv, 'utf8'))
    expect(after.map((r) => [r.name, r.label]).sort()).toEqual(
      [
        [kept.name, 4],
        [orphan.name, 3]
      ].sort()
    )
    expect(existsSync(join(home, 'my-digits-inputs', '4', kept.name))).toBe(true)
    expect(await reconcileMyDigits()).toEqual([])
  })
})
