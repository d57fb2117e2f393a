/**
 * Learn my handwriting end to end: the built renderer in Chromium, `window.api` bridged to a real
 * engine. Digits typed in the page's own fonts (writers unlike MNIST) are dropped on Classify,
 * each is given its right label and added to My digits, the My digits view shows them by label,
 * and a fine-tune of the current model on MNIST + My digits reports before/after side by side.
 */
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DoneEvent } from '#shared/protocol/training-events'
import { ensureTestModel } from '../fixtures/test-model'
import { launchApp, type AppFixture } from './harness'

/** Two "writers": the page's serif italic and its monospace, each writing 0-9. */
const WRITERS = ['italic 64px serif', 'bold 60px monospace']
/** Each writer writes each digit this many times (turned and sized a little differently). */
const COPIES = 3

describe('My digits: correct -> add -> fine-tune (Chromium, real engine)', () => {
  let app: AppFixture

  beforeAll(async () => {
    const model = await ensureTestModel()
    const home = mkdtempSync(join(tmpdir(), 'ds-e2e-digits-'))
    cpSync(model, join(home, 'models', 'last'), { recursive: true })
    app = await launchApp({ engineEnv: { DIGIT_STUDIO_HOME: home } })
  })
  afterAll(async () => {
    await app?.close()
  })

  /**
   * Draws `digit` in `font` on a light 112 px page in the page's canvas (turned by `angle`
   * radians, `scale` times the size: one writer's digits differ a little) and drops it as a PNG.
   */
  async function dropTyped(
    digit: number,
    font: string,
    name: string,
    angle: number,
    scale: number
  ): Promise<void> {
    await app.page.evaluate(
      async ({ digit, font, name, angle, scale }) => {
        const canvas = document.createElement('canvas')
        canvas.width = canvas.height = 112
        const ctx = canvas.getContext('2d')!
        ctx.fillStyle = '#f4f1ea'
        ctx.fillRect(0, 0, 112, 112)
        ctx.fillStyle = '#1b1b2f'
        ctx.font = font
        ctx.textAlign = 'center'
        ctx.textBaseline = 'middle'
        ctx.translate(56, 58)
        ctx.rotate(angle)
        ctx.scale(scale, scale)
        ctx.fillText(String(digit), 0, 0)
        const blob = await new Promise<Blob>((ok) => canvas.toBlob((b) => ok(b!), 'image/png'))
        const dt = new DataTransfer()
        dt.items.add(new File([blob], name, { type: 'image/png' }))
        for (const type of ['dragenter', 'dragover', 'drop'])
          document.body.dispatchEvent(
            new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: dt })
          )
      },
      { digit, font, name, angle, scale }
    )
  }

  it('adds corrected digits from Classify, lists them, fine-tunes and shows before/after', async () => {
    const page = app.page
    let added = 0
    for (const [w, font] of WRITERS.entries()) {
      for (let n = 0; n < 10 * COPIES; n++) {
        const digit = n % 10
        const copy = Math.floor(n / 10)
        const name = `writer${w}-${digit}-${copy}.png`
        await dropTyped(digit, font, name, (copy - 1) * 0.1, 1 - copy * 0.1)
        await page.locator(`[data-result="${name}"]`).waitFor({ timeout: 30_000 })
        // Correct the reading from the keyboard (or confirm it): the label is the digit typed.
        await page.getByRole('textbox', { name: /^Digit 1 read as/ }).focus()
        await page.keyboard.press(String(digit))
        if (w === 0 && n === 7) await app.screenshot('my-digits-add-from-classify')
        await page.getByRole('button', { name: `Add this ${digit} to My digits` }).click()
        added++
        await page
          .locator('#view-classify')
          .getByText(`Added a ${digit} from ${name} to My digits`)
          .waitFor({ timeout: 30_000 })
      }
    }
    await app.openView('My digits')
    await page.getByText(`${added} digits kept in`).waitFor({ timeout: 30_000 })
    expect(await page.getByRole('heading', { name: '7 (6)' }).count()).toBe(1)
    // Each kept digit is the one added from its own file, under its own label.
    const kept = await app.engineHost.request('digits:list', { withImages: true })
    const inputs = new Set(kept.items.map((d) => Buffer.from(d.input!).toString('base64')))
    expect(inputs.size).toBe(added)
    expect(kept.items.map((d) => `${d.source}:${d.label}`).sort()).toEqual(
      WRITERS.flatMap((_, w) =>
        Array.from(
          { length: 10 * COPIES },
          (_, n) => `writer${w}-${n % 10}-${Math.floor(n / 10)}.png:${n % 10}`
        )
      ).sort()
    )
    // Six of each digit: no few-examples warning (the component test covers the warning).
    expect(await page.getByRole('status').filter({ hasText: 'Few examples' }).count()).toBe(0)
    await app.screenshot('my-digits-view')

    await page.getByRole('button', { name: 'Fine-tune current model' }).click()
    await expect
      .poll(() => app.events.some((e) => e.type === 'training:done'), {
        timeout: 300_000,
        interval: 500
      })
      .toBe(true)
    const done = app.events.find((e) => e.type === 'training:done') as DoneEvent
    await app.openView('My digits')
    const table = page.getByRole('table')
    await table.waitFor({ timeout: 30_000 })
    await app.screenshot('my-digits-fine-tuned')
    console.log(
      `[my-digits e2e] held-out ${done.heldOutAccuracyBefore} -> ${done.heldOutAccuracyAfter}, ` +
        `MNIST test ${done.testAccuracyBefore} -> ${done.testAccuracy}`
    )
    expect(done).toMatchObject({ addedImages: added, heldOutCount: 12, skippedImages: 0 })
    // Better on the held-out typed digits (11 of 12 -> 12 of 12 on native), MNIST not forgotten.
    expect(done.heldOutAccuracyAfter!).toBeGreaterThan(done.heldOutAccuracyBefore!)
    expect(done.testAccuracy).toBeGreaterThan(done.testAccuracyBefore! - 0.01)
    expect(await table.textContent()).toContain(`Held-out My digits (12)`)
    expect(app.pageErrors).toEqual([])
  })
})
