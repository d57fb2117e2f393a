// Messages users read about files that aren't images, and decoder chatter kept out of their
// terminal (RELIABILITY I2).
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeImage } from '#engine/classify/image/decode'
import { createRng } from '#engine/random'
import { shortGif } from '../fixtures/hostile'
import { ensureTestModel } from '../fixtures/test-model'

const BIN = fileURLToPath(new URL('../../bin/digit-studio.mjs', import.meta.url))
let dir: string
let modelDir: string

beforeAll(async () => {
  modelDir = await ensureTestModel()
  dir = await mkdtemp(join(tmpdir(), 'ds-wording-'))
}, 300_000)
afterAll(() => rm(dir, { recursive: true, force: true }))

const messageOf = (bytes: Uint8Array, name: string): Promise<string> =>
  decodeImage(bytes, name).then(
    () => 'decoded',
    (e: Error) => e.message
  )

describe('files that are not images', () => {
  it('random bytes named .jpg say "not an image" once, and what can be read', async () => {
    const rng = createRng(7)
    const noise = Uint8Array.from({ length: 2048 }, () => Math.floor(rng() * 256))
    noise[0] = 0 // no text, no known signature
    const message = await messageOf(noise, 'photo.jpg')
    expect(message).toBe(
      'photo.jpg: not an image (its first bytes match no known format); Digit Studio reads PNG, JPEG, TIFF, BMP, GIF, WebP and PDF'
    )
    expect(message.match(/not an image/g)).toHaveLength(1)
  })

  it('a text file named .png is called a text file', async () => {
    const text = new TextEncoder().encode('shopping list: eggs, milk\n')
    expect(await messageOf(text, 'list.png')).toBe(
      'list.png: a text file; Digit Studio reads PNG, JPEG, TIFF, BMP, GIF, WebP and PDF'
    )
  })
})

describe("decoders' own warnings", () => {
  it('never reach the CLI output: --json stdout is JSON lines only, stderr is empty', async () => {
    const gif = join(dir, 'short.gif')
    await writeFile(gif, shortGif())
    const run = await promisify(execFile)(
      process.execPath,
      [BIN, 'classify', gif, '--model', modelDir, '--json'],
      { env: { ...process.env, DIGIT_STUDIO_BACKEND: 'wasm' } }
    ).catch((e: { stdout: string; stderr: string }) => e)
    const lines = run.stdout.trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0])).toMatchObject({ file: gif })
    expect(run.stdout + run.stderr).not.toMatch(/Warning/)
    expect(run.stderr).toBe('')
  }, 60_000)
})
