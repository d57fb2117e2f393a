/**
 * How the app names the current model and states its accuracy, in one place, so the model card,
 * the status bar and panel, and Classify say the same thing (issue 16: "starter model").
 */
import type { CurrentModelInfo, RunSummary } from '#shared/protocol/models'

/** "Starter model", "Imported model" or "Your model". */
export function modelLabel(model: CurrentModelInfo): string {
  if (model.source === 'starter') return 'Starter model'
  return model.source === 'imported' ? 'Imported model' : 'Your model'
}

/**
 * Its MNIST test accuracy: what an import measured on the full test set, else what starter.json
 * states for the shipped weights, else what training recorded (which may have used a test limit).
 */
export function modelAccuracy(model: CurrentModelInfo): number | null {
  return (
    model.measured?.accuracy ?? model.starter?.testAccuracy ?? model.metadata?.testAccuracy ?? null
  )
}

/**
 * What a run trained: its own architecture's name, else its preset (a custom architecture's
 * preset only gave the form's defaults, so naming it would mislead).
 */
export function runArchitecture(run: Pick<RunSummary, 'architecture' | 'preset'>): string | null {
  return run.architecture ?? run.preset
}
