/**
 * After a run is deleted, its model must stop being "the current model": `models/last` is a copy
 * of the last finished run's model, and the engine may hold that run's weights in memory. Both go,
 * so the next request finds the newest remaining run's model, or the starter model when no run is
 * left (model-location.ts). An imported model stays current: the user chose it, whatever its
 * metadata says about the run it came from.
 */
import { existsSync } from 'node:fs'
import { rename, rm } from 'node:fs/promises'
import { dirname, join, sep } from 'node:path'
import { tempSibling } from './atomic-write'
import { withFolderLock } from './folder-lock'
import { MODEL_JSON, readSavedMetadata } from './model-io'
import { clearCurrentModel, getCurrentModel } from './model-store'
import { lastModelDir } from './paths'
import { runsDir } from './run-folder'

/** Drops the deleted run `id`'s model from `models/last` and memory; true when the current model changed. */
export async function dropDeletedRunModel(id: string): Promise<boolean> {
  const last = lastModelDir()
  let lastRemoved = false
  if (existsSync(join(last, MODEL_JSON)) && (await readSavedMetadata(last))?.runId === id) {
    // Moved aside first, so a crash mid-removal leaves a temp name the next sweep clears, never a
    // model.json whose weights are half gone.
    await withFolderLock(dirname(last), 'removing the model of a deleted run', async () => {
      const aside = tempSibling(last)
      await rename(last, aside)
      await rm(aside, { recursive: true, force: true })
    })
    lastRemoved = true
  }
  const current = getCurrentModel()
  // The model in memory is the run's when it was trained by it (its metadata says so), or loaded
  // from the run's folder or from the models/last copy just removed.
  const runFolder = join(runsDir(), id)
  const fromRun =
    current?.source === 'trained' &&
    (current.metadata?.runId === id ||
      (current.dir !== null &&
        (current.dir.startsWith(runFolder + sep) || (lastRemoved && current.dir === last))))
  if (fromRun) clearCurrentModel()
  return lastRemoved || fromRun
}
