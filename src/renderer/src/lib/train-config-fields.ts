/**
 * The hyperparameter inputs of the model panel: labels and help text here, limits read from
 * `TrainConfigSchema` itself (schema-limits.ts), so the browser's number inputs stop out-of-range
 * values with exactly the engine's bounds; the schema stays the judge (see `validateConfig`).
 */
import * as v from 'valibot'
import { TrainConfigSchema, type TrainConfig } from '#shared/protocol/training'
import { EarlyStoppingSchema } from '#shared/protocol/run-options'
import { describeIssue } from '#shared/schema-issues'
import { numberLimits, type NumberLimits } from '#shared/schema-limits'

type NumericField =
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'learningRateDecay'
  | 'validationSplit'
  | 'seed'
  | 'trainLimit'
  | 'testLimit'

interface FieldSpec extends NumberLimits {
  key: NumericField
  label: string
  help: string
  step: number | 'any'
  /** Optional fields may be left empty ("all"). */
  optional?: boolean
}

type FieldText = Omit<FieldSpec, keyof NumberLimits>

const FIELDS: FieldText[] = [
  { key: 'epochs', label: 'Epochs', help: 'Passes over the training images.', step: 1 },
  { key: 'batchSize', label: 'Batch size', help: 'Images per gradient step.', step: 1 },
  {
    key: 'learningRate',
    label: 'Learning rate',
    help: 'Adam step size; 0.001 is the classic.',
    step: 'any'
  },
  {
    key: 'learningRateDecay',
    label: 'Rate decay',
    help: 'Rate × this each epoch; 1 = constant.',
    step: 0.05
  },
  {
    key: 'validationSplit',
    label: 'Validation split',
    help: 'Share of training images held out (0-0.5).',
    step: 0.05
  },
  { key: 'seed', label: 'Seed', help: 'Same seed, same run.', step: 1 },
  {
    key: 'trainLimit',
    label: 'Training images',
    help: 'Empty = all. Fewer images train faster.',
    step: 1,
    optional: true
  },
  { key: 'testLimit', label: 'Test images', help: 'Empty = all 10,000.', step: 1, optional: true }
]

/** Every numeric input of the form, with the schema's own min/max. */
export const FIELD_SPECS: FieldSpec[] = FIELDS.map((field) => ({
  ...field,
  ...numberLimits(TrainConfigSchema.entries[field.key])
}))

/** Early stopping's patience (empty = off), limits from its schema like every other field. */
export const PATIENCE_FIELD = {
  label: 'Early stopping',
  help: 'Empty = off. Stop after this many epochs without a better validation loss; keep the best.',
  ...numberLimits(EarlyStoppingSchema.entries.patience)
}

/** Field -> message for every problem the schema finds; empty when the config is valid. */
export function validateConfig(config: unknown): Partial<Record<keyof TrainConfig, string>> {
  const result = v.safeParse(TrainConfigSchema, config)
  if (result.success) return {}
  const errors: Partial<Record<keyof TrainConfig, string>> = {}
  for (const issue of result.issues) {
    const key = issue.path?.[0]?.key as keyof TrainConfig | undefined
    if (key && !errors[key]) errors[key] = describeIssue(issue)
  }
  return errors
}
