/**
 * The gallery's My digits source end to end: the built renderer in Chromium, `window.api` bridged
 * to a real engine whose current model is the cached test model. Empty My digits shows how to add
 * digits; digits kept through the engine (as the CLI's `digits add` does) arrive by the real
 * `digits:changed` event, are predicted with the current model and filtered like test digits.
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

describe('gallery sources (Chromium, real engine)', () => {
  let app: AppFixture

  beforeAll(async () => {
    const model = await ensureTestModel()
    const home = mkdtempSync(join(tmpdir(), 'ds-e2e-gallery-sources-'))
    cpSync(model, join(home, 'models', 'last'), { recursive: true })
    app = await launchApp({ engineEnv: { DIGIT_STUDIO_HOME: home } })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('shows the empty state, then the kept digits with their predictions and filters', async () => {
    const page = app.page
    await app.openView('Gallery')
    await page.locator('select[name="source"]').selectOption({ label: 'My digits' })
    const empty = page.getByTestId('my-digits-empty')
    await empty.waitFor({ timeout: 30_000 })
    expect(await empty.textContent()).toMatch(/digit-studio digits add FILE --label N/)

    const digits = await testDigits(20, 3)
    for (const [i, d] of digits.entries()) {
      const bytes = encodePng(renderScan([d], { seed: i, scale: 3, margin: 12, specks: 0 }))
      await app.engineHost.request('digits:add', {
        label: d.label,
        file: { name: `scan${i}.png`, bytes }
      })
    }
    const grid = page.getByRole('grid', { name: 'Predictions on My digits' })
    await expect.poll(() => grid.locator('.tile').count(), { timeout: 30_000 }).toBe(digits.length)
    expect(await empty.count()).toBe(0)
    expect(await page.getByTestId('gallery-count').textContent()).toMatch(/^3 · All digits/)

    const label = digits[0].label
    await page.locator('select[name="filter"]').selectOption('true')
    await page.locator('select[name="digit"]').selectOption(String(label))
    const wanted = digits.filter((d) => d.label === label).length
    await expect.poll(() => grid.locator('.tile').count(), { timeout: 30_000 }).toBe(wanted)
    const tile = grid.locator('.tile').first()
    expect(await tile.getAttribute('data-true')).toBe(String(label))
    const name = (await tile.getAttribute('aria-label'))!.split(':')[0]
    expect(name).toMatch(new RegExp(`^${label}/[\\w-]+\\.png$`))
    await tile.click()
    await page.getByRole('dialog', { name }).waitFor({ timeout: 10_000 })
    await app.screenshot('gallery-my-digits')
    expect(app.pageErrors).toEqual([])
  })
})
