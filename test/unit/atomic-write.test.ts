import { existsSync } from 'node:fs'
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sweepTempFiles, writeDirAtomic, writeFileAtomic } from '#engine/store/atomic-write'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ds-atomic-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('atomic writes (RELIABILITY D4)', () => {
  it('replaces files and folders whole, and sweeps what a crash left behind', async () => {
    const base = join(dir, 'atomic')
    await writeFileAtomic(join(base, 'a.json'), '1')
    await writeFileAtomic(join(base, 'a.json'), '2')
    expect(await readFile(join(base, 'a.json'), 'utf8')).toBe('2')
    await writeDirAtomic(join(base, 'model'), { 'x.txt': 'old' })
    await writeDirAtomic(join(base, 'model'), { 'x.txt': 'new', 'y.txt': 'y' })
    expect((await readdir(join(base, 'model'))).sort()).toEqual(['x.txt', 'y.txt'])
    expect((await readdir(base)).sort()).toEqual(['a.json', 'model'])
    // A crash mid-write leaves a temp file; a crash between the two renames leaves only `.old-`.
    await writeFile(join(base, '.a.json.tmp-999-dead'), 'half')
    await rename(join(base, 'model'), join(base, '.model.old-999-beef'))
    const touched = await sweepTempFiles(base)
    expect(touched.sort()).toEqual(['.a.json.tmp-999-dead', '.model.old-999-beef'])
    expect((await readdir(base)).sort()).toEqual(['a.json', 'model'])
    expect(await readFile(join(base, 'model', 'x.txt'), 'utf8')).toBe('new')
    expect(await sweepTempFiles(join(dir, 'does-not-exist'))).toEqual([])
    expect(existsSync(join(base, '.a.json.tmp-999-dead'))).toBe(false)
  })
})
