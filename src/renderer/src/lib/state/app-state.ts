/**
 * The renderer's state, made in one place: `createAppState(api)` builds every domain's state once
 * for the app's lifetime (so a run keeps going, and keeps its charts, while the user looks at other
 * views); App.svelte puts it in Svelte context and views take what they need with `getAppState()`.
 * Component tests build theirs on a fake api the same way.
 */
import { getContext, setContext } from 'svelte'
import type { RendererApi } from '#shared/ipc-contract'
import { ClassifyState } from './classify.svelte'
import { DatasetState } from './dataset.svelte'
import { EngineStatus } from './engine-status.svelte'
import { ExportState } from './export.svelte'
import { GalleryState } from './gallery.svelte'
import { InsideState } from './inside.svelte'
import { MyDigitsState } from './my-digits.svelte'
import { NavigationState } from './navigation.svelte'
import { refreshOnEvents } from './refresh-on-events'
import { RunsState } from './runs.svelte'
import { StudiesState } from './studies.svelte'
import { TrainConfigState } from './train-config.svelte'
import { ArchitectureState } from './architecture.svelte'
import { TrainingState } from './training.svelte'

export interface AppState {
  navigation: NavigationState
  status: EngineStatus
  training: TrainingState
  config: TrainConfigState
  dataset: DatasetState
  gallery: GalleryState
  classify: ClassifyState
  runs: RunsState
  exports: ExportState
  /** The Inside view's digit and explanation (the gallery and Classify open digits in it). */
  inside: InsideState
  /** The architecture editor (issue 14): the user's own layers, used instead of the preset. */
  architecture: ArchitectureState
  /** My digits: the user's kept digits and the last fine-tune on them. */
  digits: MyDigitsState
  /** Hyperparameter studies (issue 14): the space being defined and the study shown. */
  studies: StudiesState
  /** Subscribes every state to the engine's events and loads what each shows; returns the undo. */
  connect(): () => void
}

/** Every state of the app, built on `api` (window.api, or a test's fake). */
export function createAppState(api: RendererApi): AppState {
  const state: AppState = {
    navigation: new NavigationState(),
    status: new EngineStatus(api),
    training: new TrainingState(api),
    config: new TrainConfigState(api),
    dataset: new DatasetState(api),
    gallery: new GalleryState(api),
    classify: new ClassifyState(api),
    runs: new RunsState(api),
    exports: new ExportState(api),
    inside: new InsideState(api),
    architecture: new ArchitectureState(api),
    digits: new MyDigitsState(api),
    studies: new StudiesState(api),
    connect: () => {
      const offs = [
        state.status.start(),
        state.training.connect(),
        state.studies.connect(),
        // A run that starts or ends changes the list of runs.
        refreshOnEvents(api, ['training:started', 'training:done'], () => state.runs.refresh()),
        // A finished run has a new model: the current model card and the gallery's predictions.
        refreshOnEvents(api, ['training:done'], () => state.exports.refreshCurrent()),
        api.on('model:changed', (e) => state.exports.setCurrent(e.model)),
        api.on('training:done', () => void state.gallery.refresh()),
        state.gallery.connect(),
        refreshOnEvents(api, ['digits:changed'], () => state.digits.refresh()),
        api.on('training:done', (e) => state.digits.noteDone(e)),
        // A (re)started engine may have missed the first requests or picked another backend.
        api.on('engine:state', (event) => {
          if (event.state !== 'ready') return
          if (!state.dataset.info) void state.dataset.load()
          if (!state.config.summary) void state.config.loadSummary()
          void state.config.loadEngineInfo()
        })
      ]
      return () => offs.forEach((off) => off())
    }
  }
  return state
}

const KEY = Symbol('digit-studio app state')

/** Makes `state` the app state of this component and its children (App.svelte, tests' hosts). */
export function setAppState(state: AppState): AppState {
  return setContext(KEY, state)
}

/** The app state App.svelte put in context; a clear error when a view is rendered without one. */
export function getAppState(): AppState {
  const state = getContext<AppState | undefined>(KEY)
  if (!state) throw new Error('No app state: render views inside App.svelte or pass one in context')
  return state
}

/** The context entry for `state`, for `render(View, { context: appStateContext(state) })`. */
export function appStateContext(state: AppState): Map<symbol, AppState> {
  return new Map([[KEY, state]])
}
