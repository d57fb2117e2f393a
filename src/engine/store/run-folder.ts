/**
 * The folder of one training run: `<dataHome>/runs/<runId>/` with config.json, metrics.json
 * (rewritten after every epoch), result.json, checkpoint/ (each epoch, with optimizer state) and
 * model/ (the final model). Every file is written atomically, so a crash leaves the last complete
 * version of each.
 */
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { makeFolders, writeFileAtomic } from './atomic-write'
import { dataHome } from './paths'

export interface RunFolder {
  runId: string
  dir: string
  config: string
  metrics: string
  result: string
  checkpointDir: string
  modelDir: string
}

/** Folder holding every run. */
export function runsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(dataHome(env), 'runs')
}

/** A sortable, unique id: UTC time to the second plus 4 random hex digits, e.g. 20261127-165503-ab12. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${stamp}-${randomBytes(2).toString('hex')}`
}

/** Creates the folder of a new run. */
export async function createRunFolder(
  runId: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<RunFolder> {
  const dir = join(runsDir(env), runId)
  await makeFolders(dir)
  return {
    runId,
    dir,
    config: join(dir, 'config.json'),
    metrics: join(dir, 'metrics.json'),
    result: join(dir, 'result.json'),
    checkpointDir: join(dir, 'checkpoint'),
    modelDir: join(dir, 'model')
  }
}

/** Writes pretty JSON atomically. NaN/Infinity become null in JSON; the metrics adapter flags them upstream. */
export function writeJsonAtomic(path: string, data: unknown): Promise<void> {
  return writeFileAtomic(path, JSON.stringify(data, null, 2) + '\n')
}
