/**
 * A live Chart.js line chart for one metric (loss or accuracy), owned outside Svelte's reactivity.
 *
 * Chart.js objects must never sit inside `$state` proxies (svelte#14202: they loop or crash), so
 * the component keeps this wrapper in a plain variable and hands it plain snapshots. The chart is
 * created once; `sync` appends only the points it hasn't seen and redraws with `update('none')`
 * (no animation) at most `MAX_REDRAW_HZ` times a second, so a fast stream of batch metrics never
 * turns into a redraw per message. Epoch points are never dropped: every sync copies every new point,
 * only the redraw is throttled.
 */
import type { ChartDataset, ScriptableContext, TooltipItem } from 'chart.js'
import { markersPlugin } from './chart-plugins'
import { Chart } from './line-chart'
import type { MetricName, MetricSeries, SeriesPoint } from './metric-series'

Chart.register(markersPlugin)

/** Redraws per second while metrics stream; 10-20 Hz is smooth to the eye and cheap. */
const MAX_REDRAW_HZ = 12

type Point = { x: number; y: number | null }

/** Theme colours, read from the app's CSS variables so light and dark both work. */
interface ChartColors {
  line: string
  lineSmooth: string
  lineSoft: string
  validation: string
  text: string
  grid: string
  danger: string
}

/** Reads the colours from CSS variables on `el`, with fallbacks for when the theme lacks one. */
export function readChartColors(el: Element, metric: MetricName): ChartColors {
  const style = getComputedStyle(el)
  const pick = (name: string, fallback: string): string =>
    style.getPropertyValue(name).trim() || fallback
  // app.css: --chart-1/2 are training/validation loss, --chart-3/4 training/validation accuracy.
  const line = metric === 'loss' ? pick('--chart-1', '#2f6fdf') : pick('--chart-3', '#1f8a4c')
  return {
    line,
    // Batch lines are lighter than the epoch line, so the epoch points stand out on top.
    lineSmooth: withAlpha(line, 0.55),
    lineSoft: withAlpha(line, 0.2),
    validation: metric === 'loss' ? pick('--chart-2', '#e0662f') : pick('--chart-4', '#8a3fd1'),
    text: pick('--text-muted', '#5b6170'),
    grid: 'rgba(128, 128, 128, 0.18)',
    danger: pick('--danger', '#c53030')
  }
}

/** `#rrggbb` -> `rgba(r, g, b, alpha)`; other colour syntaxes are returned unchanged. */
function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color)
  if (!m) return color
  const [r, g, b] = m.slice(1).map((h) => parseInt(h, 16))
  return `rgba(${r}, ${g}, ${b}, ${alpha})`
}

const KEYS: Record<
  MetricName,
  {
    raw: keyof MetricSeries
    smooth: keyof MetricSeries
    train: keyof MetricSeries
    val: keyof MetricSeries
  }
> = {
  loss: { raw: 'batchLoss', smooth: 'batchLossSmooth', train: 'epochLoss', val: 'epochValLoss' },
  accuracy: {
    raw: 'batchAccuracy',
    smooth: 'batchAccuracySmooth',
    train: 'epochAccuracy',
    val: 'epochValAccuracy'
  }
}

export interface MetricChart {
  /** Copies new points from `series` (a plain snapshot) and schedules a throttled redraw. */
  sync(series: MetricSeries, epochs: number): void
  /** Re-reads theme colours (after a light/dark switch). */
  restyle(colors: ChartColors): void
  /** How many per-epoch training points the chart holds (for tests and a11y). */
  epochPoints(): number
  destroy(): void
}

/** Creates the chart once on `canvas`; the caller destroys it on teardown. */
export function createMetricChart(
  canvas: HTMLCanvasElement,
  metric: MetricName,
  colors: ChartColors
): MetricChart {
  // Chart.js only logs (and half-builds) when there is no 2D context; fail clearly instead.
  if (!canvas.getContext('2d')) throw new Error('no 2D canvas context for the chart')
  const keys = KEYS[metric]
  // The chart's own plain arrays: sync appends to them, so Chart.js never sees a proxy.
  const raw: Point[] = []
  const smooth: Point[] = []
  const train: Point[] = []
  const val: Point[] = []
  const isAccuracy = metric === 'accuracy'
  const formatY = (v: number): string => (isAccuracy ? `${(v * 100).toFixed(1)} %` : v.toFixed(3))

  const line = (
    label: string,
    data: Point[],
    extra: Partial<ChartDataset<'line', Point[]>>
  ): ChartDataset<'line', Point[]> => ({
    label,
    data,
    parsing: false,
    spanGaps: false,
    // Lines draw no points, except a lone first point, which would otherwise be invisible.
    pointRadius: (ctx: ScriptableContext<'line'>) => (ctx.dataset.data.length === 1 ? 2 : 0),
    pointHoverRadius: 3,
    borderWidth: 1.5,
    ...extra
  })

  const chart = new Chart<'line', Point[]>(canvas, {
    type: 'line',
    data: {
      datasets: [
        line('Batch (raw)', raw, { borderWidth: 1 }),
        line('Batch (smoothed)', smooth, { borderWidth: 2 }),
        line('Epoch: training', train, { pointRadius: 4, borderWidth: 2.5 }),
        line('Epoch: validation', val, {
          pointRadius: 4,
          borderWidth: 2,
          borderDash: [6, 4],
          pointStyle: 'rectRot'
        })
      ]
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: 1,
          title: { display: true, text: 'Epoch' },
          ticks: { stepSize: 1 }
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          ...(isAccuracy ? { max: 1 } : {}),
          title: { display: true, text: isAccuracy ? 'Accuracy' : 'Loss (cross-entropy)' },
          ticks: { callback: (v) => formatY(Number(v)) }
        }
      },
      plugins: {
        legend: {
          position: 'bottom',
          labels: { boxWidth: 12, boxHeight: 2, usePointStyle: false }
        },
        tooltip: {
          callbacks: {
            title: (items: TooltipItem<'line'>[]) =>
              items.length ? `Epoch ${(items[0].parsed.x ?? 0).toFixed(2)}` : '',
            label: (item: TooltipItem<'line'>) =>
              `${item.dataset.label}: ${formatY(item.parsed.y ?? NaN)}`
          }
        },
        markers: { epochs: [], gaps: [] }
      }
    }
  })

  const applyColors = (c: ChartColors): void => {
    const [dRaw, dSmooth, dTrain, dVal] = chart.data.datasets
    dRaw.borderColor = c.lineSoft
    dRaw.backgroundColor = c.lineSoft
    dSmooth.borderColor = c.lineSmooth
    dSmooth.backgroundColor = c.lineSmooth
    dTrain.borderColor = c.line
    dTrain.backgroundColor = c.line
    dVal.borderColor = c.validation
    dVal.backgroundColor = c.validation
    const scales = chart.options.scales ?? {}
    for (const axis of [scales.x, scales.y]) {
      if (!axis) continue
      axis.grid = { color: c.grid }
      axis.ticks = { ...axis.ticks, color: c.text }
      if ('title' in axis && axis.title) axis.title.color = c.text
    }
    if (chart.options.plugins?.legend?.labels) chart.options.plugins.legend.labels.color = c.text
    chart.options.plugins!.markers = {
      ...chart.options.plugins!.markers,
      lineColor: c.grid,
      labelColor: c.text,
      gapColor: c.danger
    }
  }
  applyColors(colors)
  chart.update('none')

  let pending: ReturnType<typeof setTimeout> | null = null
  let lastDraw = 0
  const redraw = (): void => {
    pending = null
    lastDraw = performance.now()
    chart.update('none')
  }
  const scheduleRedraw = (): void => {
    if (pending !== null) return
    const wait = Math.max(0, lastDraw + 1000 / MAX_REDRAW_HZ - performance.now())
    pending = setTimeout(() => requestAnimationFrame(redraw), wait)
  }

  // Appends the tail of `source` that `target` hasn't seen; a shorter source means a new run.
  const follow = (target: Point[], source: SeriesPoint[]): boolean => {
    if (source.length < target.length) target.length = 0
    if (source.length === target.length) return false
    for (let i = target.length; i < source.length; i++)
      target.push({ x: source[i].x, y: source[i].y })
    return true
  }

  return {
    sync(series, epochs) {
      let changed = false
      changed = follow(raw, series[keys.raw] as SeriesPoint[]) || changed
      changed = follow(smooth, series[keys.smooth] as SeriesPoint[]) || changed
      changed = follow(train, series[keys.train] as SeriesPoint[]) || changed
      changed = follow(val, series[keys.val] as SeriesPoint[]) || changed
      const xMax = Math.max(1, epochs)
      const x = chart.options.scales!.x!
      if (x.max !== xMax) {
        x.max = xMax
        changed = true
      }
      const markers = chart.options.plugins!.markers!
      const gaps = series.gaps.filter((g) => g.metric === metric).map((g) => g.x)
      if (
        gaps.length !== (markers.gaps?.length ?? 0) ||
        (markers.epochs?.length ?? 0) !== xMax - 1
      ) {
        markers.gaps = gaps
        markers.epochs = Array.from({ length: xMax - 1 }, (_, i) => i + 1)
        changed = true
      }
      if (changed) scheduleRedraw()
    },
    restyle(c) {
      applyColors(c)
      scheduleRedraw()
    },
    epochPoints: () => train.length,
    destroy() {
      if (pending !== null) clearTimeout(pending)
      chart.destroy()
    }
  }
}
