/**
 * Where "the current model" is on disk when the engine holds none in memory (a fresh engine, or
 * after the run it came from was deleted). In order: the last finished model (`models/last`,
 * which every finished run saves), else the newest run folder with a final model, else the
 * starter model shipped with the app (issue 16). So the user's first finished run replaces the
 * starter, and deleting every run brings it back.
 */
import { existsSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { ModelSource } from '#shared/protocol/models'
import { MODEL_JSON } from './model-io'
import { lastModelDir } from './paths'
import { runsDir } from './run-folder'
import { findStarterModel } from './starter-model'

export interface ModelLocation {
  dir: string
  source: Extract<ModelSource, 'trained' | 'starter'>
}

/**
 * The final model of the newest run that has one. Run ids start with their UTC start time, so
 * the name order is the time order; a run stopped early has only a checkpoint and doesn't count.
 */
async function newestRunModel(): Promise<string | null> {
  const root = runsDir()
  if (!existsSync(root)) return null
  const names = (await readdir(root)).filter((n) => !n.startsWith('.')).sort()
  for (const name of names.reverse()) {
    const dir = join(root, name, 'model')
    if (existsSync(join(dir, MODEL_JSON))) return dir
  }
  return null
}

/** The folder the current model loads from, and whose it is; null when there is none at all. */
export async function locateCurrentModel(): Promise<ModelLocation | null> {
  const last = lastModelDir()
  if (existsSync(join(last, MODEL_JSON))) return { dir: last, source: 'trained' }
  const run = await newestRunModel()
  if (run) return { dir: run, source: 'trained' }
  const starter = findStarterModel()
  return starter ? { dir: starter, source: 'starter' } : null
}
