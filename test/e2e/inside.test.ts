/**
 * The Inside view end to end: the built renderer in Chromium, `window.api` bridged to a real
 * engine that has just trained a small model. A gallery tile, a Classify digit and the Inside
 * view's own draw pad (live, while drawing) each open the view; screenshots go to docs/screenshots
 * (one in the dark theme, with occlusion's failed sanity check shown).
 */
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp, type AppFixture } from './harness'
import { trainShortRun } from './training-helpers'

const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'screenshots')

/** A "7": a bar across the top and a stroke down to the bottom left, in segments. */
async function drawSeven(page: Page, view: string, release = true): Promise<void> {
  const label =
    view === '#view-inside' ? 'Live sketch for the Inside view' : 'Drawing pad: draw a digit'
  const pad = page.locator(view).getByLabel(label, { exact: true })
  const box = (await pad.boundingBox())!
  const at = (x: number, y: number): [number, number] => [
    box.x + box.width * x,
    box.y + box.height * y
  ]
  await page.mouse.move(...at(0.25, 0.2))
  await page.mouse.down()
  for (let i = 1; i <= 8; i++) await page.mouse.move(...at(0.25 + i * 0.06, 0.2), { steps: 2 })
  for (let i = 1; i <= 10; i++)
    await page.mouse.move(...at(0.73 - i * 0.03, 0.2 + i * 0.065), { steps: 2 })
  if (release) await page.mouse.up()
}

describe('Inside view (Chromium, real engine)', () => {
  let app: AppFixture

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true })
    app = await launchApp({ viewport: { width: 1280, height: 1100 } })
    await trainShortRun(app, { trainLimit: 6000, testLimit: 200 })
  })
  afterAll(async () => {
    await app?.close()
  })

  const inside = (): ReturnType<Page['locator']> => app.page.locator('#view-inside')
  const answer = (): ReturnType<Page['locator']> =>
    inside().getByRole('region', { name: 'Explanation' })

  it('opens from a gallery tile: maps, probabilities, activations and filters', async () => {
    const { page } = app
    await app.openView('Gallery')
    const tile = page.locator('#view-gallery .tile[data-position="0"]')
    await expect.poll(() => tile.count(), { timeout: 30_000 }).toBe(1)
    await tile.click()
    await page.getByRole('dialog').getByRole('button', { name: 'Look inside' }).click()
    await expect.poll(() => inside().isVisible()).toBe(true)
    await expect
      .poll(() => inside().getByText('Test image #0', { exact: true }).count(), { timeout: 30_000 })
      .toBe(1)
    await expect
      .poll(() =>
        answer()
          .getByRole('img', { name: /^SmoothGrad map of \d$/ })
          .count()
      )
      .toBe(1)
    expect(
      await answer()
        .getByRole('img', { name: /^Contrast: \d versus \d$/ })
        .count()
    ).toBe(1)
    // fast preset: two conv layers (8 and 16 channels), 8 first-layer filters.
    expect(
      await answer()
        .getByRole('img', { name: /^Filter \d+$/ })
        .count()
    ).toBe(8)
    expect(
      await answer()
        .getByRole('img', { name: / channel \d+$/ })
        .count()
    ).toBe(24)
    // The heatmap canvas is really painted (not blank): more than one colour on it.
    const colours = await inside()
      .locator('[data-map="saliency"] canvas')
      .evaluate((c: HTMLCanvasElement) => {
        const d = c.getContext('2d')!.getImageData(0, 0, 28, 28).data
        return new Set(
          Array.from(
            { length: 784 },
            (_, i) => d[i * 4] * 65536 + d[i * 4 + 1] * 256 + d[i * 4 + 2]
          )
        ).size
      })
    expect(colours).toBeGreaterThan(10)
    await page.getByRole('radio', { name: 'Occlusion (no gradients)' }).check()
    await expect
      .poll(
        () =>
          answer()
            .getByRole('img', { name: /^Occlusion map of \d$/ })
            .count(),
        { timeout: 30_000 }
      )
      .toBe(1)
    // Occlusion fails the saliency sanity checks (README "Honest explanations"): the view says so.
    expect(await answer().getByText('Sanity check failed.').count()).toBe(1)
    await page.emulateMedia({ colorScheme: 'dark' })
    await page.screenshot({ path: join(SHOTS, 'inside-occlusion-dark.png'), fullPage: true })
    await page.emulateMedia({ colorScheme: 'light' })
    await page.getByRole('radio', { name: 'SmoothGrad' }).check()
    await inside()
      .getByRole('button', { name: /^Explain 3:/ })
      .click()
    await expect
      .poll(() => answer().getByRole('img', { name: 'SmoothGrad map of 3' }).count(), {
        timeout: 30_000
      })
      .toBe(1)
    // The run trained in beforeAll left one snapshot per epoch; the view shows the last.
    await expect.poll(() => inside().getByText('Epoch 1 of 1').count(), { timeout: 30_000 }).toBe(1)
    await page.screenshot({ path: join(SHOTS, 'inside-gallery.png'), fullPage: true })
    expect(app.pageErrors).toEqual([])
  })

  it('the draw pad updates the view live, while the stroke is drawn', async () => {
    const { page } = app
    await app.openView('Inside')
    // The pen is still down: the view must already show the drawing, without any button pressed.
    await drawSeven(page, '#view-inside', false)
    await expect
      .poll(() => inside().getByText('Your drawing', { exact: true }).count(), { timeout: 30_000 })
      .toBe(1)
    await page.mouse.up()
    // Opened from the gallery with class 3 picked; a new drawing explains its own prediction.
    await expect
      .poll(() => inside().getByRole('img', { name: 'SmoothGrad map of 3' }).count())
      .toBe(0)
    await expect
      .poll(
        () =>
          inside()
            .getByRole('img', { name: /^SmoothGrad map of \d$/ })
            .count(),
        { timeout: 30_000 }
      )
      .toBe(1)
    await expect.poll(() => inside().getByText('updating…').count(), { timeout: 30_000 }).toBe(0)
    await page.screenshot({ path: join(SHOTS, 'inside-draw-pad.png'), fullPage: true })
    expect(app.pageErrors).toEqual([])
  })

  it('opens from a digit read in Classify', async () => {
    const { page } = app
    await app.openView('Classify')
    await drawSeven(page, '#view-classify')
    await page.getByRole('button', { name: 'Classify drawing' }).click()
    const button = page.getByRole('button', { name: 'Look inside digit 1' })
    await expect.poll(() => button.count(), { timeout: 30_000 }).toBe(1)
    await button.click()
    await expect
      .poll(() => inside().getByText('Classify: digit 1', { exact: true }).count(), {
        timeout: 30_000
      })
      .toBe(1)
    await expect
      .poll(
        () =>
          inside()
            .getByRole('img', { name: /^SmoothGrad map of \d$/ })
            .count(),
        { timeout: 30_000 }
      )
      .toBe(1)
    await page.screenshot({ path: join(SHOTS, 'inside-classify.png'), fullPage: true })
  })
})
