/**
 * Chart.js with the pieces every line chart in the app needs, registered once. Chart.js is
 * tree-shakeable: nothing draws until its controllers, elements and scales are registered, and
 * the training charts and the runs comparison need the same set.
 */
import {
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip
} from 'chart.js'

Chart.register(LineController, LineElement, PointElement, LinearScale, Tooltip, Legend)

export { Chart }
