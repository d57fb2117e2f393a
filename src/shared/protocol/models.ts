import * as v from 'valibot'

// Model area (issue "Export, import and ship"): export formats, import, run history.
// The export work fills this file in.

export const modelParamSchemas = {} as const

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ModelMethods {}

export type ModelEvent = never

void v
