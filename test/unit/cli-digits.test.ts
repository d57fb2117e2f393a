import { writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli'
import { engineBackendEnv } from '../helpers/engine'
import { encodePng } from '../fixtures/encode'
import { renderScan } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'

// `digit-studio digits`: the real bin and engine, a data home of its own.

let home: string
const env = (): NodeJS.ProcessEnv => ({ ...engineBackendEnv(), DIGIT_STUDIO_HOME: home })
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'ds-cli-digits-'))
  const digits = await testDigits(0, 3)
  digits.forEach((d, i) =>
    writeFileSync(
      join(home, `scan${i}.png`),
      encodePng(renderScan([d], { seed: i, scale: 3, margin: 12 }))
    )
  )
  writeFileSync(
    join(home, 'row.png'),
    encodePng(renderScan(digits, { seed: 9, scale: 3, margin: 12 }))
  )
})
afterAll(async () => {
  await rm(home, { recursive: true, force: true })
})

describe('digit-studio digits', () => {
  it('adds, lists with the few-examples warning, relabels, exports IDX and deletes', async () => {
    const empty = await runCli(['digits', 'list'], env())
    expect(empty.stdout).toMatch(/My digits is empty/)
    const a = await runCli(
      ['digits', 'add', join(home, 'scan0.png'), '--label', '7', '--json'],
      env()
    )
    expect(a.stderr).toBe('')
    const added = JSON.parse(a.stdout) as { name: string; label: number; source: string }
    expect(added).toMatchObject({ label: 7, source: 'scan0.png' })
    expect(
      (await runCli(['digits', 'add', join(home, 'scan1.png'), '--label', '2'], env())).stdout
    ).toMatch(/Added .*scan1.png as a 2/)
    const list = await runCli(['digits', 'list'], env())
    expect(list.stdout).toMatch(/My digits: 2 in .*my-digits\n {2}0: 0\n/)
    expect(list.stdout).toMatch(/Few examples \(under 5\) for 0, 1, 2, 3, 4, 5, 6, 7, 8, 9/)
    const relabel = await runCli(['digits', 'relabel', added.name, '--label', '1', '--json'], env())
    expect(JSON.parse(relabel.stdout)).toMatchObject({ label: 1 })
    const exp = await runCli(
      ['digits', 'export', '--format', 'idx', '--out', join(home, 'idx'), '--json'],
      env()
    )
    expect(JSON.parse(exp.stdout)).toMatchObject({ count: 2 })
    const del = await runCli(['digits', 'delete', added.name], env())
    expect(del.code).toBe(0)
    const after = JSON.parse((await runCli(['digits', 'list', '--json'], env())).stdout) as {
      total: number
    }
    expect(after.total).toBe(1)
  })

  it('says why a file is refused and what a flag needs', async () => {
    const row = await runCli(['digits', 'add', join(home, 'row.png'), '--label', '3'], env())
    expect(row.code).toBe(2)
    expect(row.stderr).toMatch(/IMAGE_INVALID: row.png: 3 digits found \(one per image expected\)/)
    const noLabel = await runCli(['digits', 'add', join(home, 'scan2.png')], env())
    expect(noLabel.stderr).toMatch(/needs --label N, a digit 0-9/)
    const badLabel = await runCli(
      ['digits', 'add', join(home, 'scan2.png'), '--label', '12'],
      env()
    )
    expect(badLabel.stderr).toMatch(/a digit 0-9 \(got "12"\)/)
    const missing = await runCli(['digits', 'add', join(home, 'nope.png'), '--label', '1'], env())
    expect(missing.stderr).toMatch(/FILE_UNREADABLE: .*nope.png/)
    const format = await runCli(['digits', 'export', '--format', 'csv', '--out', home], env())
    expect(format.stderr).toMatch(/only idx/)
  })
})
