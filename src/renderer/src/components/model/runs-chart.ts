/**
 * The chart that overlays the curves of several runs. Owned outside Svelte's reactivity (Chart.js
 * objects inside `$state` proxies loop or crash, svelte#14202): the component keeps it in a plain
 * variable, creates it once, hands it plain arrays and destroys it on teardown.
 */
import type { ChartDataset } from 'chart.js'
import { Chart } from '../../lib/charts/line-chart'
import type { RunCurves } from '../../lib/state/runs.svelte'

export type CompareMetric = 'accuracy' | 'loss'

/** One colour per compared run (validation uses the same colour, dashed). */
const RUN_COLORS = ['#2f6fdf', '#e0662f', '#1f8a4c', '#8a3fd1', '#c53030', '#b7791f']

type Point = { x: number; y: number | null }

/**
 * The datasets for `metric`: per run a solid training line and, where the run had a validation
 * split, a dashed validation line. Nulls stay nulls (gaps), never 0.
 */
function compareDatasets(
  curves: RunCurves[],
  metric: CompareMetric
): ChartDataset<'line', Point[]>[] {
  const out: ChartDataset<'line', Point[]>[] = []
  curves.forEach((run, i) => {
    const color = RUN_COLORS[i % RUN_COLORS.length]
    const train = metric === 'accuracy' ? run.accuracy : run.loss
    const val = metric === 'accuracy' ? run.valAccuracy : run.valLoss
    const points = (ys: (number | null)[]): Point[] =>
      run.epochs.map((x, k) => ({ x, y: ys[k] ?? null }))
    out.push({
      label: run.label,
      data: points(train),
      borderColor: color,
      backgroundColor: color,
      spanGaps: false
    })
    if (val.some((v) => v !== null)) {
      out.push({
        label: `${run.label} (validation)`,
        data: points(val),
        borderColor: color,
        backgroundColor: color,
        borderDash: [6, 4],
        spanGaps: false
      })
    }
  })
  return out
}

export interface CompareChart {
  sync(curves: RunCurves[], metric: CompareMetric): void
  destroy(): void
}

/** Creates the chart once; `sync` replaces its datasets and redraws without animation. */
export function createCompareChart(canvas: HTMLCanvasElement, textColor: string): CompareChart {
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('no 2D canvas context')
  const chart = new Chart(ctx, {
    type: 'line',
    data: { datasets: [] },
    options: {
      animation: false,
      parsing: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: {
          type: 'linear',
          title: { display: true, text: 'epoch', color: textColor },
          ticks: { precision: 0, color: textColor }
        },
        y: { type: 'linear', ticks: { color: textColor } }
      },
      plugins: { legend: { labels: { color: textColor, boxWidth: 12 } } }
    }
  })
  return {
    sync(curves, metric) {
      chart.data.datasets = compareDatasets(curves, metric)
      const y = chart.options.scales!.y!
      if (metric === 'accuracy') {
        y.min = undefined
        y.max = 1
      } else {
        y.min = 0
        y.max = undefined
      }
      chart.update('none')
    },
    destroy() {
      chart.destroy()
    }
  }
}
