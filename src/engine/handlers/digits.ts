import type { DigitsMethods } from '#shared/protocol/digits'
import { addDigit, deleteDigits, listDigits, relabelDigit } from '../digits/my-digits'
import { exportDigitsIdx } from '../digits/export-idx'
import type { HandlerTable } from './types'

/** Thin: the store does the work; every change tells the hosts so views reload. */
export const digitsHandlers: HandlerTable<DigitsMethods> = {
  'digits:list': ({ withImages }) => listDigits(withImages ?? false),
  'digits:add': async (params, ctx) => {
    const added = await addDigit(params)
    ctx.emit({ type: 'digits:changed' })
    return added
  },
  'digits:delete': async ({ names }, ctx) => {
    const result = await deleteDigits(names)
    ctx.emit({ type: 'digits:changed' })
    return result
  },
  'digits:relabel': async ({ name, label }, ctx) => {
    const result = await relabelDigit(name, label)
    ctx.emit({ type: 'digits:changed' })
    return result
  },
  'digits:export': ({ out }) => exportDigitsIdx(out)
}
