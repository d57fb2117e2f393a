/**
 * The engine dies mid-run (kill -9): the dashboard must end the run as failed, say why, clear the
 * taskbar progress and re-enable Train; the Engine view's restart brings the engine back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { launchApp, type AppFixture } from './harness'

async function setField(page: Page, name: string, value: string): Promise<void> {
  const input = page.locator(`#view-train input[name="${name}"]`)
  await input.fill(value)
  await input.blur()
}

describe('engine crash during training (Chromium, real engine)', () => {
  let app: AppFixture

  beforeAll(async () => {
    app = await launchApp()
  })
  afterAll(async () => {
    await app?.close()
  })

  it('fails the run with the crash reason and recovers after a restart', async () => {
    const { page } = app
    const train = page.locator('#view-train')
    const controls = train.locator('[data-panel="controls-panel"]')
    const trainButton = controls.getByRole('button', { name: 'Train', exact: true })
    await expect
      .poll(() => train.getByTestId('train-count').textContent(), { timeout: 60_000 })
      .toBe('60,000')
    await setField(page, 'epochs', '3')
    await setField(page, 'trainLimit', '2000')
    await setField(page, 'testLimit', '500')
    await expect.poll(() => trainButton.isEnabled(), { timeout: 30_000 }).toBe(true)

    await trainButton.click()
    // Wait for real progress, so the kill lands in the middle of the run.
    await expect
      .poll(() => train.locator('[role=progressbar]').first().getAttribute('aria-valuenow'), {
        timeout: 120_000
      })
      .not.toBe('0')
    expect(await train.getByTestId('run-status').textContent()).toMatch(/Training|Paused/)

    const pid = app.engineHost.pid
    expect(pid).toBeTypeOf('number')
    process.kill(pid!, 'SIGKILL')

    await expect
      .poll(() => train.getByTestId('run-status').textContent(), { timeout: 30_000 })
      .toMatch(/Failed/)
    expect(await controls.getByRole('alert').textContent()).toMatch(
      /^Engine crashed: engine killed by SIGKILL/
    )
    expect(app.engineHost.state).toMatchObject({ state: 'crashed' })
    expect(await trainButton.isEnabled()).toBe(true)
    expect(await controls.getByRole('button', { name: 'Stop' }).isEnabled()).toBe(false)
    // The taskbar progress is cleared once the run ends.
    await expect
      .poll(() =>
        app.calls
          .filter((c) => c.channel === 'app:progress')
          .map((c) => (c.params as { fraction: number }).fraction)
          .at(-1)
      )
      .toBe(-1)
    await app.screenshot('engine-crash-1-failed')

    // The Engine view says it crashed and offers the restart.
    await app.openView('Engine')
    const panel = page.getByTestId('status-panel')
    await expect.poll(() => panel.getByTestId('engine-state').textContent()).toBe('crashed')
    expect(await panel.getByTestId('engine-reason').textContent()).toMatch(
      /engine killed by SIGKILL/
    )
    await panel.getByRole('button', { name: 'Restart engine' }).click()
    await expect
      .poll(() => panel.getByTestId('engine-state').textContent(), { timeout: 60_000 })
      .toBe('ready')
    expect(app.engineHost.state.state).toBe('ready')
    expect(app.engineHost.pid).not.toBe(pid)
    expect(await panel.getByRole('button', { name: 'Restart engine' }).count()).toBe(0)
    await app.screenshot('engine-crash-2-restarted')

    // Back in the Train view the failed run stays on screen and Train is still enabled.
    await app.openView('Train')
    expect(await train.getByTestId('run-status').textContent()).toMatch(/Failed/)
    expect(await trainButton.isEnabled()).toBe(true)
    expect(app.pageErrors).toEqual([])
  })
})
