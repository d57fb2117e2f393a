import type { ClassifyMethods } from '#shared/protocol/classify'
import { classifyImages } from '../classify/classify'
import type { HandlerTable } from './types'

export const classifyHandlers: HandlerTable<ClassifyMethods> = {
  'classify:images': (params) => classifyImages(params)
}
