import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { EngineError } from '#shared/errors'
import type { StudyListItem, StudyMethods } from '#shared/protocol/studies'
import { baseParams } from '#shared/study-trials'
import { bestTrial } from '../studies/runner'
import { planConfigs } from '../studies/strategy'
import { readSettings, readTrials, studiesDir } from '../studies/study-folder'
import { activeStudy, startStudy } from '../studies/study-session'
import type { HandlerTable } from './types'

/** Thin: studies run in the study session; their folders are read back for the views. */
export const studyHandlers: HandlerTable<StudyMethods> = {
  'study:start': (params, ctx) => startStudy(params, ctx.backend, ctx.emit),
  'study:stop': () => ({ stopped: activeStudy()?.stop() ?? false }),
  'study:pause': () => ({ paused: activeStudy()?.pause() ?? false }),
  'study:resume': () => ({ resumed: activeStudy()?.resume() ?? false }),
  'study:list': async () => {
    let names: string[]
    try {
      names = await readdir(studiesDir())
    } catch {
      return []
    }
    const items: StudyListItem[] = []
    for (const name of names.sort().reverse()) {
      const dir = join(studiesDir(), name)
      const settings = await readSettings(dir).catch(() => null)
      if (!settings) continue
      const trials = await readTrials(dir)
      items.push({
        dir,
        id: settings.id,
        preset: settings.preset,
        strategy: settings.strategy,
        created: settings.created,
        finished: trials.filter((t) => t.status !== 'running').length,
        best: bestTrial(trials)?.valAccuracy ?? null
      })
    }
    return items
  },
  'study:get': async ({ dir }) => {
    const folder = resolve(dir)
    const settings = await readSettings(folder)
    if (!settings) throw new EngineError('BAD_REQUEST', `${folder}: no study here (no study.json)`)
    const trials = await readTrials(folder)
    return {
      dir: folder,
      settings,
      trials,
      best: bestTrial(trials),
      planned: planConfigs(settings, baseParams(settings.preset, settings.modelSpec)).length
    }
  }
}
