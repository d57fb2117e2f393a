import { parseArgs } from 'node:util'
import { EngineError } from '#shared/errors'
import type { RunSummary } from '#shared/protocol/models'
import { withEngine } from '../engine-session'

export const RUNS_USAGE = 'digit-studio runs [list|show ID|delete ID] [--json]'

/** One aligned row per run, newest first (what the app's Runs view lists). */
function formatRuns(runs: RunSummary[], dir: string): string {
  if (runs.length === 0) return `No runs yet in ${dir}. Train one with \`digit-studio train\`.`
  const rows = runs.map((r) => [
    r.id,
    r.date.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''),
    r.architecture ?? r.preset ?? '?',
    r.testAccuracy != null ? `${(r.testAccuracy * 100).toFixed(2)} %` : '-',
    r.totalSeconds != null ? `${r.totalSeconds.toFixed(1)} s` : '-',
    r.backend ?? '-',
    `${r.epochsDone}/${r.epochsPlanned ?? '?'}`,
    r.status
  ])
  const head = [
    'RUN',
    'DATE (UTC)',
    'ARCHITECTURE',
    'ACCURACY',
    'TIME',
    'BACKEND',
    'EPOCHS',
    'STATUS'
  ]
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(head), ...rows.map(line), `(${dir})`].join('\n')
}

/** `digit-studio runs`: lists, shows or deletes runs from the runs folder the app shares. */
export async function runRuns(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false } }
  })
  const [action = 'list', id] = positionals
  if (action !== 'list' && !id)
    throw new EngineError('BAD_REQUEST', `runs ${action} needs a run id\n${RUNS_USAGE}`)
  const out = await withEngine({}, async (engine) => {
    if (action === 'list') {
      const { runs, dir } = await engine.request('runs:list', {})
      return values.json ? JSON.stringify(runs) : formatRuns(runs, dir)
    }
    if (action === 'show') {
      const run = await engine.request('runs:get', { id: id! })
      return JSON.stringify(run, null, values.json ? 0 : 2)
    }
    if (action === 'delete') {
      const { deleted } = await engine.request('runs:delete', { id: id! })
      return values.json
        ? JSON.stringify({ deleted })
        : deleted
          ? `Deleted run ${id}`
          : `No run ${id}`
    }
    throw new EngineError('BAD_REQUEST', `unknown runs action "${action}"\n${RUNS_USAGE}`)
  })
  process.stdout.write(out + '\n')
  return 0
}
