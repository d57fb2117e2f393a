import * as v from 'valibot'

// Classify area (issue "Classify your own handwriting"). The classify work fills this file in:
// params schemas, result types and events for decoding, preprocessing and segmenting user images.

export const classifyParamSchemas = {} as const

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ClassifyMethods {}

export type ClassifyEvent = never

void v
