import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { IMAGE_PIXELS } from '#shared/mnist'
import { describeDataset, loadDataset } from '#engine/data/datasets'
import { isLabelledFolder, readLabelledFolder } from '#engine/data/labelled-folder'
import { writeBadEntries, writeLabelledDigits } from '../fixtures/labelled-folder'

let root: string
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ds-labelled-'))
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('labelled folders', () => {
  it('reads every one-digit image with its folder label, in Classify preprocessing', async () => {
    const dir = join(root, 'good')
    const perLabel = await writeLabelledDigits(dir, 0, 20)
    const read = await readLabelledFolder(dir)
    expect(read.skipped).toEqual([])
    expect(read.count).toBe(20)
    expect(read.images.length).toBe(20 * IMAGE_PIXELS)
    const counts = new Array<number>(10).fill(0)
    for (const l of read.labels) counts[l]++
    expect(counts).toEqual(perLabel)
    // Each file's label is its folder's name.
    read.files.forEach((f, i) => expect(f.split('/')[0]).toBe(String(read.labels[i])))
    // Normalised like MNIST: ink in the middle, black border.
    const first = read.images.subarray(0, IMAGE_PIXELS)
    expect(first[0]).toBe(0)
    expect(first.reduce((a, b) => a + b, 0)).toBeGreaterThan(255 * 20)
  })

  it('lists each bad entry with its reason and keeps the good ones', async () => {
    const dir = join(root, 'mixed')
    await writeLabelledDigits(dir, 0, 10)
    const expected = await writeBadEntries(dir)
    const read = await readLabelledFolder(dir)
    expect(read.count).toBe(10)
    const reasons = Object.fromEntries(read.skipped.map((s) => [s.file, s.reason]))
    expect(Object.keys(reasons).sort()).toEqual(Object.keys(expected).sort())
    for (const [file, pattern] of Object.entries(expected)) expect(reasons[file]).toMatch(pattern)
  })

  it('refuses an empty folder, a folder with empty label folders, and the wrong layout', async () => {
    const empty = join(root, 'empty')
    await mkdir(empty)
    await expect(loadDataset({ kind: 'folder', path: empty })).rejects.toThrow(
      /empty: missing train-images-idx3-ubyte.*labelled folder has folders named 0-9/
    )
    const hollow = join(root, 'hollow')
    await mkdir(join(hollow, '4'), { recursive: true })
    await expect(loadDataset({ kind: 'folder', path: hollow })).rejects.toThrow(
      /hollow: the label folders hold no images/
    )
    const flat = join(root, 'flat')
    await mkdir(flat)
    await writeFile(join(flat, 'a.png'), 'x')
    expect(await isLabelledFolder(flat)).toBe(false)
    await expect(readLabelledFolder(flat)).rejects.toThrow(/flat: not a labelled folder/)
    const allBad = join(root, 'all-bad')
    await mkdir(join(allBad, '1'), { recursive: true })
    await writeFile(join(allBad, '1', 'x.png'), 'not a picture')
    await expect(loadDataset({ kind: 'folder', path: allBad })).rejects.toThrow(
      /all-bad: none of its 1 images holds exactly one digit \(1\/x.png: not an image/
    )
  })

  it('is a dataset with a fixed seeded test part, told apart from IDX files by layout', async () => {
    const dir = join(root, 'dataset')
    await writeLabelledDigits(dir, 0, 20)
    await writeBadEntries(dir)
    const ds = await loadDataset({ kind: 'folder', path: dir })
    expect(ds.name).toBe('labelled folder (dataset)')
    expect(ds.test.count).toBe(3)
    expect(ds.train.count).toBe(17)
    expect(ds.skipped?.length).toBe(6)
    const again = await loadDataset({ kind: 'folder', path: dir })
    expect(again.test.images).toEqual(ds.test.images)
    const info = await describeDataset({ kind: 'folder', path: dir })
    expect(info).toMatchObject({ train: 17, test: 3, embedded: false })
    expect(info.skipped?.map((s) => s.file)).toContain('3/blank.png')
  })
})
