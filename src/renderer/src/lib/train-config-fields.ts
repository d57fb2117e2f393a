/**
 * The hyperparameter inputs of the model panel: labels, help text and the limits of
 * `TrainConfigSchema`, mirrored here as `min`/`max`/`step` so the browser's own number inputs stop
 * out-of-range values early; the schema itself stays the judge (see `validateConfig`).
 */
import * as v from 'valibot'
import { TrainConfigSchema, type TrainConfig } from '#shared/protocol/training'
import { MNIST_TEST_COUNT, MNIST_TRAIN_COUNT } from '#shared/mnist'

export type NumericField =
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'learningRateDecay'
  | 'validationSplit'
  | 'seed'
  | 'trainLimit'
  | 'testLimit'

export interface FieldSpec {
  key: NumericField
  label: string
  help: string
  min: number
  max: number
  step: number | 'any'
  /** Optional fields may be left empty ("all"). */
  optional?: boolean
}

/**
 * Same limits as TrainConfigSchema (epochs 1-200, batch 1-4096, 0 < lr <= 10, 0 < decay <= 1,
 * split 0-0.5).
 */
export const FIELD_SPECS: FieldSpec[] = [
  {
    key: 'epochs',
    label: 'Epochs',
    help: 'Passes over the training images.',
    min: 1,
    max: 200,
    step: 1
  },
  {
    key: 'batchSize',
    label: 'Batch size',
    help: 'Images per gradient step.',
    min: 1,
    max: 4096,
    step: 1
  },
  {
    key: 'learningRate',
    label: 'Learning rate',
    help: 'Adam step size; 0.001 is the classic.',
    min: 0.00001,
    max: 10,
    step: 'any'
  },
  {
    key: 'learningRateDecay',
    label: 'Rate decay',
    help: 'Rate × this each epoch; 1 = constant.',
    min: 0.01,
    max: 1,
    step: 0.05
  },
  {
    key: 'validationSplit',
    label: 'Validation split',
    help: 'Share of training images held out (0-0.5).',
    min: 0,
    max: 0.5,
    step: 0.05
  },
  { key: 'seed', label: 'Seed', help: 'Same seed, same run.', min: 0, max: 2 ** 31 - 1, step: 1 },
  {
    key: 'trainLimit',
    label: 'Training images',
    help: 'Empty = all. Fewer images train faster.',
    min: 1,
    max: MNIST_TRAIN_COUNT,
    step: 1,
    optional: true
  },
  {
    key: 'testLimit',
    label: 'Test images',
    help: 'Empty = all 10,000.',
    min: 1,
    max: MNIST_TEST_COUNT,
    step: 1,
    optional: true
  }
]

/** Field -> message for every problem the schema finds; empty when the config is valid. */
export function validateConfig(config: unknown): Partial<Record<keyof TrainConfig, string>> {
  const result = v.safeParse(TrainConfigSchema, config)
  if (result.success) return {}
  const errors: Partial<Record<keyof TrainConfig, string>> = {}
  for (const issue of result.issues) {
    const key = issue.path?.[0]?.key as keyof TrainConfig | undefined
    if (key && !errors[key]) errors[key] = friendlyMessage(issue)
  }
  return errors
}

function friendlyMessage(issue: v.BaseIssue<unknown>): string {
  const expected = issue.expected ?? ''
  if (issue.type === 'integer') return 'Must be a whole number.'
  if (issue.type === 'number') return 'Enter a number.'
  if (issue.type === 'min_value') return `Must be at least ${expected.replace('>=', '')}.`
  if (issue.type === 'max_value') return `Must be at most ${expected.replace('<=', '')}.`
  if (issue.type === 'gt_value') return `Must be more than ${expected.replace('>', '')}.`
  return issue.message
}
