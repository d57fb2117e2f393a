import type { ModelMethods } from '../../../shared/protocol/models'
import type { HandlerTable } from './types'

// Filled in by the export/import work.
export const modelHandlers: HandlerTable<ModelMethods> = {}
