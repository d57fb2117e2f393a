/**
 * The architecture editor end to end (issue 14): the built renderer in Chromium, `window.api`
 * bridged to the real engine. A model is built in the editor from the `fast` preset (a GELU
 * convolution, a global average pool instead of Flatten), an impossible edit is explained and
 * blocks Train, the fixed model is saved by name and trained on a few hundred images; the run's
 * config records the architecture.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchApp, type AppFixture } from './harness'
import { setField } from './training-helpers'

describe('architecture editor (Chromium, real engine)', () => {
  let app: AppFixture
  let home: string

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'digit-studio-e2e-arch-'))
    app = await launchApp({
      engineEnv: { DIGIT_STUDIO_HOME: home },
      viewport: { width: 1440, height: 1400 }
    })
  })
  afterAll(async () => {
    await app?.close()
    if (home) rmSync(home, { recursive: true, force: true })
  })

  it('builds a model in the editor, saves it, and trains it', async () => {
    const { page } = app
    const editor = page.getByTestId('architecture-editor')
    const train = page.locator('#view-train')
    const rows = editor.getByTestId('layer-row')
    await editor.getByTestId('architecture-start').selectOption('fast')
    await editor.getByRole('button', { name: 'Load' }).click()
    await expect.poll(() => rows.count()).toBe(6)
    // A GELU convolution with stride 2, 'same' padding.
    await rows.nth(0).getByLabel('Activation').selectOption('gelu')
    await rows.nth(0).getByLabel('Stride').fill('2')
    await rows.nth(0).getByLabel('Padding').selectOption('same')
    expect(await rows.nth(0).getByTestId('layer-shape').textContent()).toBe('14×14×8')
    // An impossible stack: a 7×7 convolution leaves 1×1, so the next pool has nothing to pool;
    // explained at that layer, and Train is blocked until it is fixed.
    await rows.nth(2).getByLabel('Kernel').fill('7')
    await expect
      .poll(() => editor.getByTestId('layer-error').textContent())
      .toBe('the 2×2 pool after the 7×7 convolution leaves nothing to pool: its input is 1×1')
    expect(await train.getByRole('button', { name: 'Train' }).isDisabled()).toBe(true)
    await rows.nth(2).getByLabel('Kernel').fill('3')
    // Global average pooling instead of Flatten: remove Flatten, add the pool, move it up.
    await editor.getByRole('button', { name: 'Remove layer 5' }).click()
    await editor.getByTestId('add-layer-type').selectOption('GlobalAveragePooling2D')
    await editor.getByTestId('add-layer').click()
    await rows.nth(5).getByRole('button', { name: 'Move layer 6 up' }).click()
    expect(await rows.nth(4).getAttribute('aria-label')).toBe('Layer 5: GlobalAveragePooling2D')
    await expect.poll(() => editor.getByTestId('layer-error').count()).toBe(0)
    expect(
      (await editor.getByTestId('architecture-totals').textContent())!.replace(/\s+/g, ' ')
    ).toMatch(/^\d[\d,]* parameters · \d+\.\d\d MFLOPs\/image/)

    await editor.getByTestId('architecture-name').fill('gelu-gap')
    await editor.getByTestId('architecture-save').click()
    await expect.poll(() => editor.getByText('Saved as gelu-gap').count()).toBe(1)
    const saved = JSON.parse(readFileSync(join(home, 'architectures', 'gelu-gap.json'), 'utf8'))
    expect(saved.config.layers[0].class_name).toBe('InputLayer')

    await setField(page, 'epochs', '1')
    await setField(page, 'trainLimit', '300')
    await setField(page, 'testLimit', '200')
    await train.getByRole('button', { name: 'Train' }).click()
    await expect
      .poll(() => train.getByTestId('run-status').textContent(), { timeout: 180_000 })
      .toBe('Finished')
    const runs = await app.engineHost.request('runs:list', {})
    const run = await app.engineHost.request('runs:get', { id: runs.runs[0].id })
    expect(run.config?.architecture?.name).toBe('gelu-gap')
    expect(run.config?.architecture?.layers.map((l) => l.type)).toEqual([
      'Conv2D',
      'MaxPooling2D',
      'Conv2D',
      'MaxPooling2D',
      'GlobalAveragePooling2D',
      'Dense'
    ])
    await app.screenshot('train-architecture')
  }, 300_000)
})
