/**
 * The starter model in the app (issue 16), end to end: the built renderer in Chromium, `window.api`
 * bridged to a real engine on a fresh data home (no run, no models/last), which finds the starter
 * model shipped in resources/starter-model. Classify works out of the box: no "train first" card,
 * a dropped scan is read; the status bar and the current-model card say "Starter model".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { formatFixtures, type Fixture } from '../fixtures/scans'
import { launchApp, type AppFixture } from './harness'

describe('starter model (Chromium, real engine, fresh data home)', () => {
  let app: AppFixture
  let single: Fixture

  beforeAll(async () => {
    single = (await formatFixtures()).fixtures.find((f) => f.name === 'single.png')!
    // No DIGIT_STUDIO_HOME: the harness gives the engine a fresh temporary one.
    app = await launchApp({ engineEnv: { DIGIT_STUDIO_STARTER_MODEL: undefined } })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('Classify reads a dropped scan with the starter model, and the app says which model it is', async () => {
    await app.openView('Classify')
    await app.page.getByRole('heading', { name: 'Ready to read your digits' }).waitFor()
    expect(await app.page.getByText('Train a model first').count()).toBe(0)
    await expect
      .poll(() => app.page.getByTestId('statusbar').textContent())
      .toMatch(/Starter model \d+\.\d\d %/)
    await app.screenshot('starter-classify-ready')

    await app.page.evaluate(
      ({ base64, name }) => {
        const bin = atob(base64)
        const bytes = new Uint8Array(bin.length)
        for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
        const dt = new DataTransfer()
        dt.items.add(new File([bytes], name, { type: 'image/png' }))
        for (const type of ['dragenter', 'dragover', 'drop'])
          document.body.dispatchEvent(
            new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt })
          )
      },
      { base64: Buffer.from(single.bytes).toString('base64'), name: single.name }
    )
    const digits = app.page.locator('output[aria-label="Digits read"]').first()
    await expect.poll(() => digits.textContent(), { timeout: 30_000 }).toBe(single.expected)
    await app.screenshot('starter-classify')

    await app.openView('Runs & Export')
    expect(await app.page.getByTestId('starter-model').textContent()).toBe('Starter model')
    expect(await app.page.getByTestId('starter-note').textContent()).toMatch(
      /Training your own model replaces it/
    )
    await app.screenshot('starter-current-model')
    expect(app.pageErrors).toEqual([])
  })
})
