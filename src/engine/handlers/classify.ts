import type { ClassifyMethods } from '#shared/protocol/classify'
import { classifyImages } from '../classify/classify'
import { decodeThread } from '../classify/image/decode-pool'
import type { HandlerTable } from './types'

export const classifyHandlers: HandlerTable<ClassifyMethods> = {
  'classify:images': (params, ctx) => {
    // Decoder warnings go to the engine log (the app's log view, the CLI's stderr in verbose
    // tools), never straight to the terminal (RELIABILITY I2).
    decodeThread.log = (message) =>
      ctx.emit({ type: 'engine:log', level: 'warn', message: `decoder: ${message}` })
    return classifyImages(params)
  }
}
