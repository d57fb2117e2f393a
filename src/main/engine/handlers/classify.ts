import type { ClassifyMethods } from '../../../shared/protocol/classify'
import type { HandlerTable } from './types'

// Filled in by the classify work.
export const classifyHandlers: HandlerTable<ClassifyMethods> = {}
