import type { ArchitectureMethods } from '#shared/protocol/architectures'
import { deleteArchitecture, listArchitectures, saveArchitecture } from '../store/architectures'
import { checkArchitecture } from '../training/check-architecture'
import type { HandlerTable } from './types'

/** Presets and saved architectures (issue 14): list, check, save, delete. */
export const architectureHandlers: HandlerTable<ArchitectureMethods> = {
  'architectures:list': (_params, ctx) =>
    listArchitectures((message) => ctx.emit({ type: 'engine:log', level: 'warn', message })),
  'architectures:check': (params) => checkArchitecture(params),
  'architectures:save': ({ name, spec }) => saveArchitecture(name, spec),
  'architectures:delete': ({ name }) => deleteArchitecture(name)
}
