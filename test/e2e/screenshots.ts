/**
 * `npm run screenshots`: every view in light and dark at 1440x960 and 1024x700, written to
 * docs/screenshots/<view>-<theme>-<width>x<height>.png. It drives the BUILT renderer in Chromium
 * through the e2e harness, with the real engine behind `window.api`: first the Train view as a new
 * user sees it, then a short real training run (so charts, results, gallery and runs have
 * content), a classified scan, a few digits kept in My digits and a small finished study. Views
 * that gain screens later are added to VIEWS.
 *
 * `npm run screenshots -- my-digits studies` shoots only the named files (VIEWS' `file`, or
 * `train-first-run`); the set-up above still runs, so each view has its content.
 */
import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { encodePng } from '../fixtures/encode'
import { renderScan } from '../fixtures/render-scan'
import { formatFixtures, testDigits } from '../fixtures/scans'
import { launchApp, type AppFixture, type ViewLabel } from './harness'
import { ROOT } from './static-server'
import { startSmallGridStudy } from './study-helpers'
import { setField } from './training-helpers'

const OUT = join(ROOT, 'docs', 'screenshots')
const SIZES = [
  { width: 1440, height: 960 },
  { width: 1024, height: 700 }
]
const THEMES = ['light', 'dark'] as const
/** Each view: its nav label, its panel's id (App.svelte) and its file name. */
const VIEWS: { label: ViewLabel; id: string; file: string }[] = [
  { label: 'Train', id: 'view-train', file: 'train' },
  { label: 'Gallery', id: 'view-gallery', file: 'gallery' },
  { label: 'Classify', id: 'view-classify', file: 'classify' },
  { label: 'My digits', id: 'view-digits', file: 'my-digits' },
  { label: 'Inside', id: 'view-inside', file: 'inside' },
  { label: 'Runs & Export', id: 'view-models', file: 'runs-export' },
  { label: 'Engine', id: 'view-status', file: 'engine' },
  { label: 'Studies', id: 'view-studies', file: 'studies' }
]
/** The files asked for on the command line; none = every one. */
const ONLY = new Set(process.argv.slice(2))
const wanted = (file: string): boolean => ONLY.size === 0 || ONLY.has(file)
/** Digits kept in My digits: MNIST test digits, each scanned on its own page as a user would. */
const KEPT_DIGITS = 14
/** Small enough to finish in seconds on the wasm fallback, big enough for real curves. */
const QUICK = { trainLimit: '1500', testLimit: '500', epochs: '3' }

/** Every size and theme of what the page shows now, named `<name>-<theme>-<w>x<h>.png`. */
async function shootAll(page: Page, name: string): Promise<void> {
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme })
    for (const size of SIZES) {
      await page.setViewportSize(size)
      // Charts resize on the next frame; give layout and Chart.js a moment.
      await page.waitForTimeout(300)
      const file = join(OUT, `${name}-${theme}-${size.width}x${size.height}.png`)
      await page.screenshot({ path: file })
      console.log(`screenshots: ${file}`)
    }
  }
}

async function waitForEvent(app: AppFixture, type: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!app.events.some((e) => e.type === type)) {
    if (Date.now() > end) throw new Error(`screenshots: no ${type} within ${timeoutMs / 1000} s`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** Keeps KEPT_DIGITS digits through the engine's own `digits:add`, as Classify's button does. */
async function keepDigits(app: AppFixture): Promise<void> {
  for (const [i, digit] of (await testDigits(0, KEPT_DIGITS)).entries()) {
    const bytes = encodePng(renderScan([digit], { seed: i, scale: 3, margin: 12, specks: 0 }))
    await app.engineHost.request('digits:add', {
      label: digit.label,
      file: { name: `scan-${i + 1}.png`, bytes }
    })
  }
}

/** The studies e2e's small grid study, run to the end; then its best trial opened with its curves. */
async function runSmallStudy(app: AppFixture): Promise<void> {
  await startSmallGridStudy(app)
  await waitForEvent(app, 'study:done', 600_000)
  const view = app.page.locator('#view-studies')
  await view.getByTestId('study-best').getByRole('button', { name: 'Open' }).click()
  await view.locator('[data-panel="study-trial"] circle').first().waitFor()
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true })
  const app = await launchApp({ viewport: SIZES[0] })
  try {
    const { page } = app
    // What a new user sees first: no model of their own yet (the starter model reads digits).
    await page.getByText('Train your first model').waitFor()
    if (wanted('train-first-run')) await shootAll(page, 'train-first-run')

    for (const [name, value] of Object.entries(QUICK)) await setField(page, name, value)
    await page.getByRole('button', { name: 'Train', exact: true }).click()
    await waitForEvent(app, 'training:done', 600_000)

    const scan = (await formatFixtures()).fixtures.find((f) => f.name === 'strip.jpg')!
    await page.locator('#view-classify input[type="file"]').setInputFiles({
      name: scan.name,
      mimeType: 'image/jpeg',
      buffer: Buffer.from(scan.bytes)
    })
    await page.locator('output[aria-label="Digits read"]').first().waitFor({ timeout: 60_000 })
    await keepDigits(app)
    await runSmallStudy(app)

    for (const view of VIEWS.filter((v) => wanted(v.file))) {
      await app.openView(view.label)
      if (view.label === 'Gallery') await page.locator('#view-gallery .tile').first().waitFor()
      if (view.label === 'Runs & Export')
        await page.locator('#view-models tr[data-run]').first().waitFor()
      if (view.label === 'My digits')
        await page.getByText(`${KEPT_DIGITS} digits kept in`).waitFor({ timeout: 30_000 })
      await page.locator(`#${view.id}`).waitFor()
      await shootAll(page, view.file)
    }
    if (app.pageErrors.length)
      console.warn(`screenshots: page errors:\n${app.pageErrors.join('\n')}`)
  } finally {
    await app.close()
  }
}

await main()
