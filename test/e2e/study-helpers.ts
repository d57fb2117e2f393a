/** Page helpers for the Studies view, shared by its e2e test and the screenshots script. */
import type { AppFixture } from './harness'

/**
 * Opens Studies and starts a small grid study through its form: 3 rates (the range's ends and
 * its log middle) x 2 batch sizes = 6 trials of 1 epoch over 400 images, judged on 200.
 * Resolves once "Run study" is clicked; the caller waits for the end in its own way.
 */
export async function startSmallGridStudy(app: AppFixture): Promise<void> {
  await app.openView('Studies')
  const view = app.page.locator('#view-studies')
  const fill = async (name: string, value: string): Promise<void> => {
    await view.locator(`[name="${name}"]`).fill(value)
    await view.locator(`[name="${name}"]`).blur()
  }
  await view.locator('select[name="study-strategy"]').selectOption('grid')
  await fill('space-lr-min', '0.001')
  await fill('space-lr-max', '0.004')
  await fill('space-batchSize', '32, 64')
  await fill('space-widthMultiplier', '')
  await fill('study-train-limit', '400')
  await fill('study-validation', '200')
  await fill('space-epochs', '1')
  await view.getByRole('button', { name: 'Run study' }).click()
}
