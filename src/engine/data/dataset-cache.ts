/**
 * Keeps the last loaded dataset in the engine, so describing it, training on it again or
 * browsing its samples doesn't re-read and re-validate 55 MB each time. One entry: a second
 * dataset replaces the first, which bounds memory.
 */
import type { DatasetSource } from '#shared/protocol/training'
import { loadDataset, type Dataset } from './datasets'
import { isLabelledFolder } from './labelled-folder'

let cached: { key: string; dataset: Promise<Dataset> } | null = null

/** Loads a dataset, or returns the one already loaded from the same source. */
export async function loadDatasetCached(source: DatasetSource): Promise<Dataset> {
  // A labelled folder (My digits, say) changes between runs and is read fresh each time.
  if (source.kind === 'folder' && (await isLabelledFolder(source.path))) return loadDataset(source)
  const key = JSON.stringify(source)
  if (cached?.key !== key) {
    const dataset = loadDataset(source)
    cached = { key, dataset }
    // A failed load must not stick: the next call tries again (the folder may have been fixed).
    dataset.catch(() => {
      if (cached?.dataset === dataset) cached = null
    })
  }
  return cached.dataset
}
