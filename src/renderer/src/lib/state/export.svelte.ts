/**
 * Export and import from the Runs & Export view: asks main for a native save/open dialog, then the
 * engine for the work. Holds the engine's current model (refreshed when a run finishes or a model
 * is imported), which export or import is under way, and the last outcome to show.
 */
import type { RendererApi } from '#shared/ipc-contract'
import {
  EXPORT_FORMAT_INFO,
  type CurrentModelInfo,
  type ExportFormat,
  type ExportResult
} from '#shared/protocol/models'
import { errorInfo } from '../api'

type ExportApi = Pick<RendererApi, 'model' | 'dialog'>

export type Outcome =
  | { kind: 'exported'; result: ExportResult }
  | { kind: 'imported'; model: CurrentModelInfo }
  | { kind: 'error'; message: string }

export class ExportState {
  current = $state.raw<CurrentModelInfo | null>(null)
  /** `"onnx"`, `"onnx:<runId>"`, `"import"`... while that action runs. */
  busy = $state<string | null>(null)
  outcome = $state.raw<Outcome | null>(null)

  #api: ExportApi

  constructor(api: ExportApi) {
    this.#api = api
  }

  /** The engine said which model is current (`model:changed`). */
  setCurrent(model: CurrentModelInfo | null): void {
    this.current = model
  }

  /** Asks the engine for its current model (app-state.ts: at start and after each run). */
  async refreshCurrent(): Promise<void> {
    try {
      this.current = await this.#api.model.current({})
    } catch {
      // The engine may be restarting; the next event or action refreshes it.
      this.current = null
    }
  }

  /** Key of an export action, for `busy` and the buttons' state. */
  static key(format: ExportFormat, runId?: string): string {
    return runId ? `${format}:${runId}` : format
  }

  /** Asks where to save, then exports the current model (or a run's) in `format`. */
  async exportModel(format: ExportFormat, runId?: string): Promise<void> {
    if (this.busy) return
    const info = EXPORT_FORMAT_INFO[format]
    const { path } = await this.#api.dialog.saveFile({
      title: `Export ${info.label}`,
      defaultName: runId
        ? info.defaultName.replace('digit-model', `digit-model-${runId}`)
        : info.defaultName,
      filters: info.extensions.length
        ? [{ name: info.label, extensions: info.extensions }]
        : undefined
    })
    if (!path) return
    this.busy = ExportState.key(format, runId)
    try {
      const result = await this.#api.model.export(
        runId ? { format, out: path, runId } : { format, out: path }
      )
      this.outcome = { kind: 'exported', result }
    } catch (err) {
      this.outcome = { kind: 'error', message: errorInfo(err).message }
    } finally {
      this.busy = null
    }
  }

  /** Asks for a TF.js model folder and makes it the engine's current model. */
  async importModel(): Promise<void> {
    if (this.busy) return
    const { path } = await this.#api.dialog.openFolder({
      title: 'Import a TF.js model folder (model.json + weights)'
    })
    if (!path) return
    this.busy = 'import'
    try {
      const model = await this.#api.model.import({ path })
      this.current = model
      this.outcome = { kind: 'imported', model }
    } catch (err) {
      this.outcome = { kind: 'error', message: errorInfo(err).message }
    } finally {
      this.busy = null
    }
  }
}
