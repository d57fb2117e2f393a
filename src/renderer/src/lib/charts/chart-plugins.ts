/**
 * Two small Chart.js plugins the metric charts need and Chart.js lacks without the annotation
 * plugin: dashed vertical epoch markers, and red bands where a metric was non-finite (the "marked
 * gap": the line breaks there, and the band says it wasn't a quiet 0).
 */
import type { Chart, ChartType, Plugin } from 'chart.js'

interface MarkerOptions {
  /** x positions (in epochs) of the epoch boundaries to draw. */
  epochs: number[]
  /** x positions of non-finite values. */
  gaps: number[]
  lineColor: string
  gapColor: string
  labelColor: string
}

declare module 'chart.js' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface PluginOptionsByType<TType extends ChartType> {
    markers?: Partial<MarkerOptions>
  }
}

function optionsOf(chart: Chart): Partial<MarkerOptions> {
  return (chart.options.plugins as { markers?: Partial<MarkerOptions> } | undefined)?.markers ?? {}
}

/** Draws epoch boundaries under the data and gap bands over it. */
export const markersPlugin: Plugin = {
  id: 'markers',
  beforeDatasetsDraw(chart) {
    const opts = optionsOf(chart)
    const { ctx, chartArea, scales } = chart
    const x = scales.x
    if (!x || !opts.epochs?.length) return
    ctx.save()
    ctx.strokeStyle = opts.lineColor ?? 'rgba(128,128,128,0.5)'
    ctx.fillStyle = opts.labelColor ?? 'rgba(128,128,128,0.9)'
    ctx.setLineDash([4, 4])
    ctx.lineWidth = 1
    ctx.font = '10px system-ui, sans-serif'
    ctx.textAlign = 'right'
    ctx.textBaseline = 'top'
    for (const epoch of opts.epochs) {
      const px = x.getPixelForValue(epoch)
      if (px < chartArea.left || px > chartArea.right) continue
      ctx.beginPath()
      ctx.moveTo(px, chartArea.top)
      ctx.lineTo(px, chartArea.bottom)
      ctx.stroke()
      ctx.fillText(`E${epoch}`, px - 3, chartArea.top + 2)
    }
    ctx.restore()
  },
  afterDatasetsDraw(chart) {
    const opts = optionsOf(chart)
    const { ctx, chartArea, scales } = chart
    const x = scales.x
    if (!x || !opts.gaps?.length) return
    ctx.save()
    ctx.fillStyle = opts.gapColor ?? 'rgba(220,38,38,0.25)'
    ctx.strokeStyle = opts.gapColor ?? 'rgba(220,38,38,0.9)'
    for (const gx of opts.gaps) {
      const px = x.getPixelForValue(gx)
      if (px < chartArea.left - 1 || px > chartArea.right + 1) continue
      ctx.globalAlpha = 0.25
      ctx.fillRect(px - 3, chartArea.top, 6, chartArea.bottom - chartArea.top)
      ctx.globalAlpha = 1
      // A small triangle at the top, so the mark is visible even when bands overlap.
      ctx.beginPath()
      ctx.moveTo(px - 5, chartArea.top)
      ctx.lineTo(px + 5, chartArea.top)
      ctx.lineTo(px, chartArea.top + 8)
      ctx.closePath()
      ctx.fill()
    }
    ctx.restore()
  }
}
