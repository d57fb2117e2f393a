/**
 * The data home as a whole (RELIABILITY R2, R6): its format version, recorded in
 * `<home>/digit-studio-home.json`, and the sweep of what a crash mid-save left anywhere in it.
 * The app and the CLI share the folder, so an older app must refuse a layout it doesn't know
 * rather than misread or overwrite it.
 */
import { existsSync } from 'node:fs'
import { readdir, readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { EngineError } from '#shared/errors'
import { sweepTempFiles, writeFileAtomic } from './atomic-write'
import { appVersion, dataHome, lastModelDir } from './paths'
import { runsDir } from './run-folder'

/** The layout this version writes: runs/<id>/{config,metrics,result}.json + checkpoint/ + model/, models/last/. */
const DATA_HOME_FORMAT = 1
const HOME_FILE = 'digit-studio-home.json'

/** The format version file of a data home. */
function homeFile(home = dataHome()): string {
  return join(home, HOME_FILE)
}

async function readFormat(file: string): Promise<number> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new EngineError(
      'DATA_HOME_UNSUPPORTED',
      `${file}: cannot read the data home's format version (${(err as Error).message}): ` +
        `fix or delete the file, or set DIGIT_STUDIO_HOME to another folder`
    )
  }
  const version = (json as { formatVersion?: unknown } | null)?.formatVersion
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new EngineError(
      'DATA_HOME_UNSUPPORTED',
      `${file}: formatVersion is ${JSON.stringify(version)}, expected a whole number from 1`
    )
  }
  return version
}

/**
 * Checks (and records) the data home's format: a home with no version file is today's layout,
 * version 1, and gets the file; a newer version is refused with a message naming the file and
 * both versions. Older versions would be migrated here (there are none before 1).
 */
async function checkDataHomeFormat(home = dataHome()): Promise<number> {
  const file = homeFile(home)
  if (!existsSync(file)) {
    await writeFileAtomic(
      file,
      JSON.stringify({ formatVersion: DATA_HOME_FORMAT, writtenBy: appVersion() }, null, 2) + '\n'
    )
    return DATA_HOME_FORMAT
  }
  const version = await readFormat(file)
  if (version > DATA_HOME_FORMAT) {
    throw new EngineError(
      'DATA_HOME_UNSUPPORTED',
      `${file}: this data home has format version ${version}, written by a newer Digit Studio; ` +
        `this one (${appVersion()}) reads format version ${DATA_HOME_FORMAT}: update Digit Studio, ` +
        `or set DIGIT_STUDIO_HOME to another folder`
    )
  }
  return version
}

/**
 * Removes or restores what a crash mid-save left in the data home (RELIABILITY D4, R2): the
 * models folder, the runs folder and every run folder (a checkpoint swap happens inside one).
 * Leftovers of another live process are left alone (see `sweepTempFiles`).
 */
export async function sweepDataHome(home = dataHome()): Promise<string[]> {
  const env = { ...process.env, DIGIT_STUDIO_HOME: home }
  const touched = [
    ...(await sweepTempFiles(home)),
    ...(await sweepTempFiles(dirname(lastModelDir(env))))
  ]
  const runs = runsDir(env)
  touched.push(...(await sweepTempFiles(runs)))
  if (!existsSync(runs)) return touched
  for (const entry of await readdir(runs, { withFileTypes: true })) {
    if (entry.isDirectory() && !entry.name.startsWith('.'))
      touched.push(...(await sweepTempFiles(join(runs, entry.name))))
  }
  return touched
}

let opened: { home: string; ready: Promise<void> } | null = null

/**
 * Opens the data home once per engine: format check, then the crash sweep. Every engine method
 * that reads or writes the data home awaits it; a refusal is not remembered, so a fixed file is
 * picked up on the next call.
 */
export function ensureDataHome(home = dataHome()): Promise<void> {
  if (opened?.home === home) return opened.ready
  const ready = (async () => {
    await checkDataHomeFormat(home)
    await sweepDataHome(home)
  })()
  opened = { home, ready }
  ready.catch(() => {
    if (opened?.ready === ready) opened = null
  })
  return ready
}
