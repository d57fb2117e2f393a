/**
 * The editable fields of each layer type, with their limits and choices read back out of the
 * schema (schema.ts), so the editor's inputs show exactly what the engine accepts.
 */
import type * as v from 'valibot'
import { numberLimits } from '../schema-limits'
import { LayerSpecSchema, type LayerSpec } from './schema'

interface LayerField {
  key: string
  label: string
  kind: 'number' | 'select' | 'boolean'
  min?: number
  max?: number
  integer?: boolean
  options?: string[]
  /** Absent (undefined) is allowed and means Keras' default (pool strides = pool size). */
  optional?: boolean
}

const LABELS: Record<string, string> = {
  filters: 'Filters',
  kernelSize: 'Kernel',
  strides: 'Stride',
  padding: 'Padding',
  activation: 'Activation',
  useBias: 'Bias',
  poolSize: 'Pool',
  momentum: 'Momentum',
  epsilon: 'Epsilon',
  rate: 'Rate',
  units: 'Units'
}

type Inspectable = {
  type: string
  wrapped?: Inspectable
  options?: unknown[]
  default?: unknown
}

/** The layer types' object schemas by type name. */
function objectSchemas(): Map<string, Record<string, v.GenericSchema>> {
  const map = new Map<string, Record<string, v.GenericSchema>>()
  for (const option of LayerSpecSchema.options) {
    const entries = option.entries as Record<string, v.GenericSchema>
    const type = entries.type as unknown as { literal?: string; options?: string[] }
    for (const name of type.options ?? [type.literal!]) map.set(name, entries)
  }
  return map
}

const SCHEMAS = objectSchemas()

/** The fields a layer of `type` has (none for Flatten and GlobalAveragePooling2D). */
export function layerFields(type: LayerSpec['type']): LayerField[] {
  const entries = SCHEMAS.get(type) ?? {}
  return Object.entries(entries)
    .filter(([key]) => key !== 'type')
    .map(([key, schema]) => {
      let s = schema as unknown as Inspectable
      const optional = s.type === 'optional' && s.default === undefined
      while (s.wrapped) s = s.wrapped
      const label = LABELS[key] ?? key
      if (s.type === 'picklist')
        return { key, label, kind: 'select', options: s.options as string[] }
      if (s.type === 'boolean') return { key, label, kind: 'boolean' }
      const limits = numberLimits(schema)
      return { key, label, kind: 'number', ...limits, optional }
    })
}

/** A new layer of `type` with sensible starting values (valid on its own). */
export function newLayer(type: LayerSpec['type']): LayerSpec {
  switch (type) {
    case 'Conv2D':
      return {
        type,
        filters: 32,
        kernelSize: 3,
        strides: 1,
        padding: 'same',
        activation: 'relu',
        useBias: true
      }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { type, poolSize: 2, padding: 'valid' }
    case 'BatchNormalization':
      return { type, momentum: 0.99, epsilon: 0.001 }
    case 'Dropout':
      return { type, rate: 0.25 }
    case 'Activation':
      return { type, activation: 'relu' }
    case 'Flatten':
    case 'GlobalAveragePooling2D':
      return { type }
    case 'Dense':
      return { type, units: 128, activation: 'relu', useBias: true }
  }
}
