import type { ExportMetadata } from '#shared/protocol/models'
import { MODEL_INPUT_DESCRIPTION } from '#shared/protocol/models'
import type { ModelMetadata } from '#shared/protocol/model-metadata'
import { appVersion } from '../store/paths'

export type { ExportMetadata }

/**
 * The metadata an export carries: everything known about the training (null fields stay out, so a
 * model trained elsewhere exports with only the export's own facts) plus when and by what it was
 * written and what its input is.
 */
export function buildExportMetadata(
  trained: ModelMetadata | null,
  now = new Date()
): ExportMetadata {
  return {
    ...(trained ?? {}),
    exportedAt: now.toISOString(),
    exportedBy: `Digit Studio ${appVersion()}`,
    input: MODEL_INPUT_DESCRIPTION
  }
}

/** Flat string pairs for formats whose metadata is key/value text (ONNX metadata_props). */
export function metadataEntries(meta: ExportMetadata): { key: string; value: string }[] {
  return Object.entries(meta)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([key, value]) => ({
      key,
      value: typeof value === 'string' ? value : JSON.stringify(value)
    }))
}
