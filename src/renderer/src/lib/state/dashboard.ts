/**
 * The dashboard's state objects, one per domain, created once for the app's lifetime so a run keeps
 * going (and keeps its charts) while the user looks at other views. Components take them as props
 * with these as defaults, so component tests can pass their own instances built on a fake api.
 */
import { getApi } from '../api'
import { DatasetState } from './dataset.svelte'
import { GalleryState } from './gallery.svelte'
import { TrainConfigState } from './train-config.svelte'
import { TrainingState } from './training.svelte'

export interface Dashboard {
  training: TrainingState
  config: TrainConfigState
  dataset: DatasetState
  gallery: GalleryState
}

let dashboard: Dashboard | null = null

/** The app's dashboard states; the first call subscribes to engine events for good. */
export function getDashboard(): Dashboard {
  if (dashboard) return dashboard
  const api = getApi()
  const created: Dashboard = {
    training: new TrainingState(api),
    config: new TrainConfigState(api),
    dataset: new DatasetState(api),
    gallery: new GalleryState(api)
  }
  created.training.connect()
  // A finished run has a new model: its predictions replace the gallery's.
  api.on('training:done', () => void created.gallery.refresh())
  // A (re)started engine may have missed the first requests or picked another backend.
  api.on('engine:state', (event) => {
    if (event.state !== 'ready') return
    if (!created.dataset.info) void created.dataset.load()
    if (!created.config.summary) void created.config.loadSummary()
    void created.config.loadEngineInfo()
  })
  dashboard = created
  return created
}
