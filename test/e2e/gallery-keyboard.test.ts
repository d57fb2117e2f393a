/**
 * Keyboard access to the gallery in real Chromium: arrow keys move focus between tiles of the
 * virtualised grid, Enter opens the detail as a native modal dialog, Tab stays inside it and
 * Escape returns focus to the tile. A tiny real run (1 epoch, 200 test images) fills the gallery.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp, type AppFixture } from './harness'
import { trainShortRun } from './training-helpers'

describe('gallery keyboard (Chromium, real engine)', () => {
  let app: AppFixture

  beforeAll(async () => {
    app = await launchApp()
    await trainShortRun(app, { trainLimit: 512, testLimit: 200 })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('moves focus with the arrow keys, and Tab stays inside the open dialog', async () => {
    const { page } = app
    await app.openView('Gallery')
    const gallery = page.locator('#view-gallery')
    await expect
      .poll(() => gallery.getByTestId('gallery-grid').getAttribute('data-total'), {
        timeout: 30_000
      })
      .toBe('200')
    await expect
      .poll(() => gallery.locator('.tile').count(), { timeout: 30_000 })
      .toBeGreaterThan(1)
    const focused = (): Promise<string | undefined> =>
      page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.position)

    await gallery.locator('.tile[data-position="0"]').focus()
    await page.keyboard.press('ArrowRight')
    await expect.poll(focused).toBe('1')
    const columns = Number(await gallery.getByRole('grid').getAttribute('aria-colcount'))
    expect(columns).toBeGreaterThan(1)
    await page.keyboard.press('ArrowDown')
    await expect.poll(focused).toBe(String(1 + columns))
    expect(await gallery.locator('.tile[tabindex="0"]').count()).toBe(1)
    await app.screenshot('gallery-6-keyboard-focus')

    await page.keyboard.press('Enter')
    const dialog = page.getByRole('dialog')
    await expect.poll(() => dialog.count()).toBe(1)
    expect(await dialog.evaluate((d) => d.matches(':modal'))).toBe(true)
    const focusInDialog = (): Promise<boolean> =>
      dialog.evaluate((d) => d.contains(document.activeElement))
    expect(await focusInDialog()).toBe(true)
    await app.screenshot('gallery-7-keyboard-detail')
    for (const key of ['Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
      await page.keyboard.press(key)
      expect(await focusInDialog()).toBe(true)
    }

    await page.keyboard.press('Escape')
    await expect.poll(() => dialog.count()).toBe(0)
    expect(await focused()).toBe(String(1 + columns))
    expect(app.pageErrors).toEqual([])
  })
})
