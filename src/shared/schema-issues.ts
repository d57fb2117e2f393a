/**
 * What valibot finds wrong, in words, for every place that validates: the engine's dispatcher and
 * main's IPC guard (one line per request) and the train form (one sentence per field).
 */
import * as v from 'valibot'

/** One problem as a short sentence a user can act on, e.g. "Must be at least 1." */
export function describeIssue(issue: v.BaseIssue<unknown>): string {
  const expected = issue.expected ?? ''
  if (issue.type === 'integer') return 'Must be a whole number.'
  if (issue.type === 'number') return 'Enter a number.'
  if (issue.type === 'min_value') return `Must be at least ${expected.replace('>=', '')}.`
  if (issue.type === 'max_value') return `Must be at most ${expected.replace('<=', '')}.`
  if (issue.type === 'gt_value') return `Must be more than ${expected.replace('>', '')}.`
  return issue.message
}

/**
 * The first few problems of a refused payload on one line, each with where it is, e.g.
 * "epochs: Invalid value: Expected >=1 but received 0" (valibot's own wording: developers read it).
 */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[]): string {
  return issues
    .slice(0, 3)
    .map((i) => `${v.getDotPath(i) ?? 'params'}: ${i.message}`)
    .join('; ')
}
