/**
 * The Runs & Export view end to end: the built renderer in Chromium, `window.api` bridged to a
 * real engine. A short real run is listed, its curve drawn, the model exported through the save
 * dialog (ONNX file on disk) and an export imported back through the folder dialog.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp, type AppFixture } from './harness'
import { trainShortRun } from './training-helpers'
import { expectedBackendKind } from '../helpers/engine'

describe('Runs & Export view (Chromium, real engine)', () => {
  let app: AppFixture
  const home = mkdtempSync(join(tmpdir(), 'ds-e2e-models-'))
  const onnxPath = join(home, 'exports', 'digits.onnx')
  const webDir = join(home, 'exports', 'web-model')
  // Where the save dialog "puts" a TF.js export; the last test points it at a user's folder.
  let tfjsTarget = webDir

  beforeAll(async () => {
    app = await launchApp({
      engineEnv: { DIGIT_STUDIO_HOME: join(home, 'data') },
      dialogs: {
        openFolder: async () => webDir,
        openFiles: async () => [],
        saveFile: async (name) => (name.endsWith('.onnx') ? onnxPath : tfjsTarget)
      }
    })
    // A real, short run, so the view has something true to show.
    await trainShortRun(app, { epochs: 2, trainLimit: 1024, testLimit: 500 })
  })
  afterAll(async () => {
    await app?.close()
  })

  it('lists the run, overlays its curves, exports and imports', async () => {
    const { page } = app
    await app.openView('Runs & Export')
    const row = page.locator('tr[data-run]').first()
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1)
    expect(await row.textContent()).toMatch(
      new RegExp(`fast.*\\d+\\.\\d\\d %.*${expectedBackendKind()}.*2/2.*done`)
    )

    await row.getByRole('checkbox').check()
    await expect.poll(() => page.locator('[data-compared="1"]').count()).toBe(1)

    await page.getByRole('button', { name: 'Export ONNX' }).click()
    await expect.poll(() => page.getByText(/Exported ONNX to/).count(), { timeout: 30_000 }).toBe(1)
    expect(readFileSync(onnxPath).length).toBeGreaterThan(10_000)

    await page.getByRole('button', { name: 'Export TF.js' }).click()
    await expect.poll(() => existsSync(join(webDir, 'model.json')), { timeout: 30_000 }).toBe(true)

    await page.getByRole('button', { name: 'Import TF.js model…' }).click()
    await expect
      .poll(() => page.getByText(/it is now the model for Classify/).count(), { timeout: 60_000 })
      .toBe(1)
    expect(await page.locator('[data-current-model]').getAttribute('data-current-model')).toBe(
      webDir
    )
    await app.screenshot('runs-export')
    expect(app.pageErrors).toEqual([])
  })

  it("refuses to export TF.js over a folder holding the user's files, and says which (RELIABILITY R1)", async () => {
    const { page } = app
    const mine = join(home, 'my-documents')
    mkdirSync(mine, { recursive: true })
    writeFileSync(join(mine, 'thesis.docx'), 'years of work')
    tfjsTarget = mine
    await app.openView('Runs & Export')
    await page.getByRole('button', { name: 'Export TF.js' }).click()
    const alert = page.getByRole('alert').filter({ hasText: 'thesis.docx' })
    await expect.poll(() => alert.count(), { timeout: 30_000 }).toBe(1)
    expect(await alert.textContent()).toContain(mine)
    expect(readdirSync(mine)).toEqual(['thesis.docx'])
  })
})
