/**
 * A study's folder: study.json (settings: space, strategy, budget, seed) and trials/trial-NNN.json
 * (one per configuration, rewritten after each of its rungs), each written atomically, so a study
 * killed at any moment resumes from its last finished trials without redoing them.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '#shared/errors'
import type { StudySettings, TrialRecord } from '#shared/protocol/studies'
import { makeFolders, sweepTempFiles } from '../store/atomic-write'
import { dataHome } from '../store/paths'
import { writeJsonAtomic } from '../store/run-folder'

/** Where studies without a folder of their own live. */
export function studiesDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'studies')
}

const settingsFile = (dir: string): string => join(dir, 'study.json')
const trialsDir = (dir: string): string => join(dir, 'trials')
const trialFile = (dir: string, trial: number): string =>
  join(trialsDir(dir), `trial-${String(trial).padStart(3, '0')}.json`)

/** Scratch space the trials' per-epoch checkpoints go to (one trial at a time). */
export const scratchDir = (dir: string): string => join(dir, 'scratch')

/** The study's settings, or null when `dir` holds no study yet. */
export async function readSettings(dir: string): Promise<StudySettings | null> {
  let text: string
  try {
    text = await readFile(settingsFile(dir), 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw err
  }
  try {
    return JSON.parse(text) as StudySettings
  } catch {
    throw new EngineError('BAD_REQUEST', `${settingsFile(dir)}: not a study file (invalid JSON)`)
  }
}

export async function writeSettings(dir: string, settings: StudySettings): Promise<void> {
  await makeFolders(trialsDir(dir))
  await writeJsonAtomic(settingsFile(dir), settings)
}

/** Every trial record in the folder, by trial number. A damaged record is skipped (it reruns). */
export async function readTrials(dir: string): Promise<TrialRecord[]> {
  let names: string[]
  try {
    names = await readdir(trialsDir(dir))
  } catch {
    return []
  }
  const records: TrialRecord[] = []
  for (const name of names.filter((n) => /^trial-\d+\.json$/.test(n)).sort()) {
    try {
      records.push(JSON.parse(await readFile(join(trialsDir(dir), name), 'utf8')) as TrialRecord)
    } catch {
      // Only a file written by hand can be damaged (writes are atomic): its trial runs again.
    }
  }
  return records.sort((a, b) => a.trial - b.trial)
}

/**
 * Removes what a killed study left half-written (a trial record's temp file when it died mid-write).
 * Call with the folder's lock held: the writer is then gone, and `sweepTempFiles` checks it too.
 */
export async function sweepStudyFolder(dir: string): Promise<void> {
  await sweepTempFiles(dir)
  await sweepTempFiles(trialsDir(dir))
}

export function writeTrial(dir: string, record: TrialRecord): Promise<void> {
  return writeJsonAtomic(trialFile(dir, record.trial), record)
}
