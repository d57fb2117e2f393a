/**
 * First slice end to end: the built renderer in Chromium, `window.api` bridged to a real engine.
 * The status panel must show what the engine really runs on, and the CSP must hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp, type AppFixture } from './harness'
import { expectedBackendKind } from '../helpers/engine'

describe('engine status panel (Chromium, real engine)', () => {
  let app: AppFixture

  beforeAll(async () => {
    app = await launchApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('shows the real backend, its reason and the MNIST counts', async () => {
    const { page } = app
    await app.openView('Engine')
    const panel = page.getByTestId('status-panel')
    await expect
      .poll(() => panel.getByTestId('engine-state').textContent(), { timeout: 60_000 })
      .toBe('ready')

    // The backend the engine really runs on (native only where tfjs-node loads), and why.
    const info = await app.engineHost.request('engine:info', {})
    expect(info.backend).toBe(expectedBackendKind())
    expect(await panel.getByTestId('backend').textContent()).toContain(info.backend)
    expect(await panel.getByTestId('backend-reason').textContent()).toBe(info.backendReason)
    if (info.backend === 'native') {
      expect(info.tensorflowVersion).toMatch(/^\d+\.\d+/)
      expect(await panel.getByTestId('backend').textContent()).toContain(
        `TensorFlow ${info.tensorflowVersion}`
      )
    } else if (info.nativeHelp) {
      expect(await panel.getByTestId('native-help').textContent()).toBe(info.nativeHelp)
    }
    expect(await panel.getByTestId('dataset').textContent()).toMatch(
      /MNIST: 60,000 train \/ 10,000 test,\s+embedded/
    )
    expect(await panel.getByTestId('version-electron').textContent()).toContain(
      'not running in Electron'
    )
    expect(await panel.getByTestId('version-tfjs').textContent()).toBe(info.tfjsVersion)
    expect(await page.getByTestId('statusbar').textContent()).toContain('60,000 / 10,000')
    await app.screenshot('status-panel')
    expect(app.pageErrors).toEqual([])
  })

  it('keeps every view mounted and reachable from the keyboard', async () => {
    const { page } = app
    await page.getByRole('tab', { name: 'Train' }).focus()
    await page.keyboard.press('ArrowDown')
    await expect
      .poll(() => page.getByRole('tab', { name: 'Gallery' }).getAttribute('aria-selected'))
      .toBe('true')
    // Hidden, not destroyed: a run in the Train view must survive a visit to another view.
    expect(await page.locator('#view-train').count()).toBe(1)
    expect(await page.locator('#view-train').isHidden()).toBe(true)
    expect(await page.locator('#view-gallery').isVisible()).toBe(true)
  })

  it('enforces the CSP: an injected inline script does not run', async () => {
    const { page } = app
    const violations: string[] = []
    page.on('console', (msg) => {
      if (/Content Security Policy/i.test(msg.text())) violations.push(msg.text())
    })
    const ran = await page.evaluate(async () => {
      const w = window as unknown as { __injected?: boolean }
      const script = document.createElement('script')
      script.textContent = 'window.__injected = true'
      document.body.appendChild(script)
      await new Promise((r) => setTimeout(r, 100))
      return w.__injected === true
    })
    expect(ran).toBe(false)
    expect(violations.length).toBeGreaterThan(0)
    // Drop the CSP console errors this test provoked on purpose.
    app.pageErrors.splice(0)
  })
})
