/**
 * The Studies view end to end (issue 14): the built renderer in Chromium, `window.api` bridged to
 * a real engine. A small grid study runs to the end, its best trial opens with its curves, and
 * "Train the best" trains that configuration on the whole training set and reports its test accuracy.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp, type AppFixture } from './harness'
import { startSmallGridStudy } from './study-helpers'

describe('Studies view (Chromium, real engine)', () => {
  let app: AppFixture
  const home = mkdtempSync(join(tmpdir(), 'ds-e2e-studies-'))

  beforeAll(async () => {
    app = await launchApp({ engineEnv: { DIGIT_STUDIO_HOME: join(home, 'data') } })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('runs a small study to the end, opens its best trial and trains it', async () => {
    const { page } = app
    // 3 rates x 2 batch sizes = 6 trials of 1 epoch over 400 images, judged on 200.
    await startSmallGridStudy(app)
    const view = page.locator('#view-studies')
    await expect
      .poll(() => view.getByTestId('study-status').textContent(), { timeout: 240_000 })
      .toMatch(/done · \d+\/\d+ trials finished/)
    const rows = view.locator('[data-testid="trials-table"] tbody tr')
    const count = await rows.count()
    expect(count).toBe(6)
    expect(await view.getByTestId('parallel-coordinates').locator('polyline.trial').count()).toBe(
      count
    )
    const bestText = (await view.getByTestId('study-best').textContent()) ?? ''
    const bestTrial = /trial (\d+)/.exec(bestText)![1]
    await view.getByTestId('study-best').getByRole('button', { name: 'Open' }).click()
    await expect
      .poll(() => view.locator('[data-panel="study-trial"] h2').textContent())
      .toBe(`Trial ${bestTrial}`)
    // Its curves: one point per epoch for training and validation.
    expect(await view.locator('[data-panel="study-trial"] circle').count()).toBeGreaterThan(0)
    await app.screenshot('studies')

    await view.getByRole('button', { name: 'Train the best' }).click()
    await expect
      .poll(() => view.getByTestId('train-best-result').textContent(), { timeout: 600_000 })
      .toMatch(/\d+\.\d\d % test accuracy \(10,000 test images\)/)
    expect(app.pageErrors).toEqual([])
  }, 900_000)
})
