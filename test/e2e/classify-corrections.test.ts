/**
 * Correcting a digit end to end (issue 16): the built renderer in Chromium, `window.api` bridged
 * to the real engine with a trained model. A scan of four digits is dropped, one digit is
 * corrected from the keyboard, and the reading on the page and the CSV the user saves change.
 */
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodePng } from '../fixtures/encode'
import { renderScan } from '../fixtures/render-scan'
import { testDigits } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'
import { launchApp, type AppFixture } from './harness'

describe('correcting a digit in Classify (Chromium, real engine)', () => {
  let app: AppFixture
  let expected: string

  beforeAll(async () => {
    const model = await ensureTestModel()
    const home = mkdtempSync(join(tmpdir(), 'ds-e2e-correct-'))
    cpSync(model, join(home, 'models', 'last'), { recursive: true })
    const row = await testDigits(1, 4)
    expected = row.map((d) => d.label).join('')
    app = await launchApp({ engineEnv: { DIGIT_STUDIO_HOME: home } })
    const base64 = Buffer.from(encodePng(renderScan(row, { seed: 12, scale: 5 }))).toString(
      'base64'
    )
    await app.openView('Classify')
    await app.page.evaluate((base64) => {
      // Keep the blob the "Save as CSV" link points at, to read what the user would save.
      const create = URL.createObjectURL.bind(URL)
      URL.createObjectURL = (blob: Blob) => {
        ;(window as unknown as { savedCsv: Blob }).savedCsv = blob
        return create(blob)
      }
      const bin = atob(base64)
      const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0))
      const dt = new DataTransfer()
      dt.items.add(new File([bytes], 'strip.png', { type: 'image/png' }))
      for (const type of ['dragenter', 'dragover', 'drop'])
        document.body.dispatchEvent(
          new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt })
        )
    }, base64)
  })
  afterAll(async () => {
    await app?.close()
  })

  const digitsShown = (): Promise<string | null> =>
    app.page
      .locator('output[aria-label="Digits read"]')
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null)

  const savedCsv = async (): Promise<string> => {
    await app.page.getByRole('button', { name: 'Save as CSV' }).click()
    return app.page.evaluate(() => (window as unknown as { savedCsv: Blob }).savedCsv.text())
  }

  it('type a digit on a focused digit: the reading and the CSV change, Escape undoes', async () => {
    await expect.poll(digitsShown, { timeout: 60_000, interval: 50 }).toBe(expected)
    expect((await savedCsv()).split('\r\n')[1]).toMatch(new RegExp(`^strip.png,1,ok,${expected},`))
    const wrong = (Number(expected[1]) + 1) % 10
    const second = app.page.getByRole('textbox', { name: /^Digit 2 read as/ })
    await second.focus()
    await app.page.keyboard.press(String(wrong))
    const corrected = `${expected[0]}${wrong}${expected.slice(2)}`
    await expect.poll(digitsShown).toBe(corrected)
    await expect.poll(() => app.page.locator('li.digit.corrected').count()).toBe(1)
    const row = (await savedCsv()).split('\r\n')[1]
    expect(row).toMatch(new RegExp(`^strip.png,1,ok,${corrected},.*,2$`))
    await app.screenshot('classify-corrected')
    // Saving moved the focus to the button: back on the digit, Escape undoes the correction.
    await app.page.getByRole('textbox', { name: /^Digit 2 read as/ }).focus()
    await app.page.keyboard.press('Escape')
    await expect.poll(digitsShown).toBe(expected)
    expect(app.pageErrors).toEqual([])
  })
})
