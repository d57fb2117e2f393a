/**
 * The Classify view end to end: the built renderer in Chromium, `window.api` bridged to a real
 * engine. Files built in the page are dropped on the window (a DataTransfer drop event, as a
 * file manager would), the engine decodes and classifies them with a trained model found in its
 * data home (models/last), and the page shows the digits; a drawing on the pad is read too.
 */
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { badFixtures, formatFixtures, type Fixture } from '../fixtures/scans'
import { ensureTestModel } from '../fixtures/test-model'
import { launchApp, type AppFixture } from './harness'

interface PageFile {
  name: string
  type: string
  base64: string
}

const toPageFile = (f: Fixture): PageFile => ({
  name: f.name,
  type: 'application/octet-stream',
  base64: Buffer.from(f.bytes).toString('base64')
})

describe('Classify view (Chromium, real engine)', () => {
  let app: AppFixture
  let good: Fixture[]
  let bad: Fixture[]

  beforeAll(async () => {
    const model = await ensureTestModel()
    const home = mkdtempSync(join(tmpdir(), 'ds-e2e-classify-'))
    // The engine finds "the last trained model" here, as after a training run.
    cpSync(model, join(home, 'models', 'last'), { recursive: true })
    good = (await formatFixtures()).fixtures
    bad = await badFixtures()
    app = await launchApp({ engineEnv: { DIGIT_STUDIO_HOME: home } })
  })
  afterAll(async () => {
    await app?.close()
  })

  /** Builds Files from base64 in the page and dispatches dragenter/dragover/drop on `selector`. */
  async function drop(files: PageFile[], selector = 'body'): Promise<void> {
    await app.page.evaluate(
      ({ files, selector }) => {
        const dt = new DataTransfer()
        for (const f of files) {
          const bin = atob(f.base64)
          const bytes = new Uint8Array(bin.length)
          for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
          dt.items.add(new File([bytes], f.name, { type: f.type }))
        }
        const target = document.querySelector(selector)!
        for (const type of ['dragenter', 'dragover', 'drop'])
          target.dispatchEvent(
            new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt })
          )
      },
      { files, selector }
    )
  }

  const digitsShown = (): Promise<string | null> =>
    app.page
      .locator('output[aria-label="Digits read"]')
      .first()
      .textContent({ timeout: 1000 })
      .catch(() => null)

  it('a single-digit scan dropped on another view is read and drawn with its steps', async () => {
    await app.openView('Train')
    const single = good.find((f) => f.name === 'single.png')!
    const t = Date.now()
    await drop([toPageFile(single)])
    await expect.poll(digitsShown, { timeout: 30_000, interval: 20 }).toBe(single.expected)
    const firstMs = Date.now() - t
    // Warm now (model loaded): time one more drop -> answer, as a user would see it.
    const strip = good.find((f) => f.name === 'strip.jpg')!
    await drop([toPageFile(strip)])
    await expect.poll(digitsShown, { timeout: 30_000, interval: 10 }).toBe(strip.expected)
    const t2 = Date.now()
    await drop([toPageFile(single)])
    await expect.poll(digitsShown, { timeout: 30_000, interval: 5 }).toBe(single.expected)
    console.log(
      `[classify e2e] drop -> answer: first ${firstMs} ms (loads the model), warm ${Date.now() - t2} ms`
    )
    // The view switched to Classify and shows the 28x28 input, the mask and the top-3 bars.
    expect(await app.page.locator('#view-classify').isVisible()).toBe(true)
    expect(await app.page.getByRole('img', { name: /28x28 input of digit 1/ }).count()).toBe(1)
    expect(await app.page.getByRole('list', { name: 'Top 3 probabilities' }).count()).toBe(1)
    await app.screenshot('classify-single')
  })

  it('many files at once: every format read, bad files listed with their reasons, CSV offered', async () => {
    await drop([...good, ...bad].map(toPageFile), '#view-classify')
    const rows = app.page.locator('#view-classify tr[data-file]')
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(good.length + bad.length)
    for (const f of good) {
      const row = app.page.locator(`tr[data-file="${f.name}"]`)
      // Files of several pages (TIFF, PDF) show each page's digits with its number.
      const pages = f.expected!.split(' ')
      const shown =
        pages.length > 1 ? pages.map((d, i) => `${i + 1}: ${d}`).join(' · ') : f.expected
      expect(await row.locator('td.digits').textContent()).toBe(shown)
    }
    for (const f of bad) {
      const status = await app.page.locator(`tr[data-file="${f.name}"] td.status`).textContent()
      expect(status).toContain(f.name)
    }
    expect(await app.page.getByRole('button', { name: 'Save as CSV' }).count()).toBe(1)
    await app.page.locator('tr[data-file="pages.tiff"] button').click()
    await expect.poll(digitsShown).toBe(good.find((f) => f.name === 'pages.tiff')!.expected)
    await app.screenshot('classify-many')
    expect(app.pageErrors).toEqual([])
  })

  it('a multi-page PDF dropped on the window: every page read, numbered Page 1..3', async () => {
    const pdf = good.find((f) => f.name === 'pages.pdf')!
    await drop([{ ...toPageFile(pdf), type: 'application/pdf' }])
    await expect.poll(digitsShown, { timeout: 30_000 }).toBe(pdf.expected)
    const headings = app.page.locator('section[data-result="pages.pdf"] h3')
    const perPage = pdf.expected!.split(' ')
    await expect
      .poll(async () =>
        (await headings.allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim())
      )
      .toEqual(perPage.map((digits, i) => `Page ${i + 1}: ${digits}`))
    await app.screenshot('classify-pdf')
    expect(app.pageErrors).toEqual([])
  })

  it('the drawing pad: a stroke drawn with the mouse is classified', async () => {
    const pad = app.page.getByLabel('Drawing pad: draw a digit')
    const box = (await pad.boundingBox())!
    // A vertical stroke down the middle: a "1".
    await app.page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15)
    await app.page.mouse.down()
    for (let i = 1; i <= 10; i++)
      await app.page.mouse.move(
        box.x + box.width / 2 + i * 0.5,
        box.y + box.height * (0.15 + i * 0.07)
      )
    await app.page.mouse.up()
    await app.page.getByRole('button', { name: 'Classify drawing' }).click()
    await expect
      .poll(() => app.page.locator('section[data-result="drawing.png"]').count(), {
        timeout: 30_000
      })
      .toBe(1)
    expect(await digitsShown()).toBe('1')
  })
})
