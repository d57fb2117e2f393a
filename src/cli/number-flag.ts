/**
 * A numeric CLI flag: undefined when absent, else a finite number or a BAD_REQUEST naming the
 * flag (`train` and `tune` read their numbers the same way; the engine checks the ranges).
 */
import { EngineError } from '#shared/errors'

export function numberFlag(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new EngineError('BAD_REQUEST', `--${flag} "${raw}" is not a number`)
  return n
}
