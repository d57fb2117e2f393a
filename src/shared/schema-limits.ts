/**
 * Reads a number schema's bounds back out of its valibot pipe, so forms show the limits the
 * engine enforces instead of a copy that drifts.
 */
import type * as v from 'valibot'

export interface NumberLimits {
  /** The lowest accepted value; with `minExclusive` the value must be above it. */
  min?: number
  minExclusive: boolean
  max?: number
  integer: boolean
}

type Action = { type: string; requirement?: unknown }
type Inspectable = { type: string; wrapped?: Inspectable; pipe?: readonly Action[] }

/** The bounds of a (possibly optional) `v.pipe(v.number(), …)` schema; unbounded sides are absent. */
export function numberLimits(schema: v.GenericSchema): NumberLimits {
  let s = schema as unknown as Inspectable
  while (s.wrapped) s = s.wrapped
  const limits: NumberLimits = { minExclusive: false, integer: false }
  for (const action of s.pipe ?? []) {
    const value = typeof action.requirement === 'number' ? action.requirement : undefined
    if (action.type === 'min_value') limits.min = value
    else if (action.type === 'gt_value') {
      limits.min = value
      limits.minExclusive = true
    } else if (action.type === 'max_value') limits.max = value
    else if (action.type === 'integer') limits.integer = true
  }
  return limits
}
