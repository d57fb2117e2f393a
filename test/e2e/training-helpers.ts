/**
 * Page helpers and timing probes for the e2e tests (most for training.test.ts). They measure, read
 * or set up; the assertions stay in the tests.
 */
import type { Locator, Page } from 'playwright-core'
import type { TrainConfig } from '#shared/protocol/training'
import type { AppFixture } from './harness'

/**
 * Trains a short real run of the `fast` preset on the app's engine and resolves when it is done,
 * so a view has true results to show. `overrides` sets its size (epochs, train/test limits).
 */
export async function trainShortRun(
  app: AppFixture,
  overrides: Partial<TrainConfig> = {}
): Promise<void> {
  const done = new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (app.events.some((e) => e.type === 'training:done')) {
        clearInterval(timer)
        resolve()
      }
    }, 200)
  })
  await app.engineHost.request('training:start', {
    preset: 'fast',
    epochs: 1,
    batchSize: 64,
    learningRate: 2e-3,
    validationSplit: 0.1,
    seed: 3,
    augment: false,
    dataset: { kind: 'embedded' },
    ...overrides
  })
  await done
}

/** Starts sampling requestAnimationFrame intervals in the page (the frame-time probe). */
export async function startFrameProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __probe: boolean }
    w.__frames = []
    w.__probe = true
    let last = performance.now()
    const tick = (now: number): void => {
      w.__frames.push(now - last)
      last = now
      if (w.__probe) requestAnimationFrame(tick)
    }
    requestAnimationFrame(tick)
  })
}

export async function stopFrameProbe(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __probe: boolean }
    w.__probe = false
    return w.__frames.slice(1)
  })
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

export async function setField(page: Page, name: string, value: string): Promise<void> {
  const input = page.locator(`#view-train input[name="${name}"]`)
  await input.fill(value)
  await input.blur()
}

/** Time to first paint of the gallery: from a click on Refresh to the first tiles on screen. */
export async function galleryFirstPaint(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const button = [...document.querySelectorAll<HTMLButtonElement>('#view-gallery button')].find(
      (b) => b.textContent?.trim() === 'Refresh'
    )!
    const t0 = performance.now()
    button.click()
    await new Promise((r) => requestAnimationFrame(r))
    return new Promise<number>((resolve) => {
      const check = (): void => {
        if (document.querySelector('#view-gallery .tile'))
          requestAnimationFrame(() => resolve(performance.now() - t0))
        else requestAnimationFrame(check)
      }
      check()
    })
  })
}

type PageApi = { predictions: { page(p: unknown): Promise<{ items: { image: unknown }[] }> } }

/** One predictions page of 60 and of 240 items straight through `window.api` (bridge + engine). */
export async function timePageApi(page: Page): Promise<Record<string, number | string>> {
  return page.evaluate(async () => {
    const api = (window as unknown as { api: PageApi }).api
    const out: Record<string, number | string> = {}
    for (const limit of [60, 240]) {
      const t0 = performance.now()
      const res = await api.predictions.page({ offset: 0, limit })
      out[limit] = Math.round(performance.now() - t0)
      out.imageType = Object.prototype.toString.call(res.items[0]?.image)
    }
    return out
  })
}

/** Clicks Stop in the page and returns the ms until the run status reads Stopped. */
export async function pressStopAndTime(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const status = document.querySelector('#view-train [data-testid="run-status"]')!
    const stop = [...document.querySelectorAll<HTMLButtonElement>('#view-train button')].find(
      (b) => b.textContent?.trim() === 'Stop'
    )!
    const t0 = performance.now()
    stop.click()
    return new Promise<number>((resolve) => {
      const check = (): void => {
        if (/Stopped/.test(status.textContent ?? '')) resolve(performance.now() - t0)
        else setTimeout(check, 5)
      }
      check()
    })
  })
}

/** [true label, predicted label] of each gallery tile in the DOM. */
export async function tilePairs(gallery: Locator): Promise<(string | undefined)[][]> {
  return gallery
    .locator('.tile')
    .evaluateAll((tiles) =>
      tiles.map((t) => [(t as HTMLElement).dataset.true, (t as HTMLElement).dataset.predicted])
    )
}
