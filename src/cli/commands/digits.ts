import { readFile } from 'node:fs/promises'
import { basename, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { EngineError } from '#shared/errors'
import type { DigitsList } from '#shared/protocol/digits'
import { withEngine } from '../engine-session'

export const DIGITS_USAGE =
  'digit-studio digits list|add FILE --label N|delete NAME|relabel NAME --label N|export --format idx --out DIR [--json]'

/** Counts per label, the few-examples warning and where the folder is. */
function formatList(list: DigitsList): string {
  if (list.total === 0)
    return `My digits is empty (${list.dir}). Add one with \`digit-studio digits add FILE --label N\`.`
  const lines = [
    `My digits: ${list.total} in ${list.dir}`,
    ...list.counts.map((n, label) => `  ${label}: ${n}`)
  ]
  if (list.fewExamples.length > 0)
    lines.push(
      `Few examples (under 5) for ${list.fewExamples.join(', ')}: a fine-tune learns little from them`
    )
  return lines.join('\n')
}

function labelOf(raw: string | undefined, action: string): number {
  const n = Number(raw)
  if (raw === undefined || raw.trim() === '' || !Number.isInteger(n) || n < 0 || n > 9)
    throw new EngineError(
      'BAD_REQUEST',
      `digits ${action} needs --label N, a digit 0-9${raw === undefined ? '' : ` (got "${raw}")`}`
    )
  return n
}

/** `digit-studio digits`: manages My digits in the data home the app shares. */
export async function runDigits(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      label: { type: 'string' },
      format: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean', default: false }
    }
  })
  const [action = 'list', target] = positionals
  const json = values.json ?? false
  const out = await withEngine({}, async (engine) => {
    switch (action) {
      case 'list': {
        const list = await engine.request('digits:list', {})
        return json ? JSON.stringify(list) : formatList(list)
      }
      case 'add': {
        if (!target)
          throw new EngineError('BAD_REQUEST', `digits add needs a FILE\n${DIGITS_USAGE}`)
        const label = labelOf(values.label, 'add')
        let bytes: Uint8Array
        try {
          bytes = new Uint8Array(await readFile(resolve(target)))
        } catch (err) {
          throw new EngineError('FILE_UNREADABLE', `${target}: ${(err as Error).message}`)
        }
        const added = await engine.request('digits:add', {
          label,
          file: { name: basename(target), bytes }
        })
        const { input: _input, ...row } = added
        return json
          ? JSON.stringify(row)
          : `Added ${target} as a ${label} (${row.label}/${row.name})`
      }
      case 'delete': {
        if (!target)
          throw new EngineError('BAD_REQUEST', `digits delete needs a NAME\n${DIGITS_USAGE}`)
        const r = await engine.request('digits:delete', { names: [target] })
        return json ? JSON.stringify(r) : `Deleted ${target}`
      }
      case 'relabel': {
        if (!target)
          throw new EngineError('BAD_REQUEST', `digits relabel needs a NAME\n${DIGITS_USAGE}`)
        const r = await engine.request('digits:relabel', {
          name: target,
          label: labelOf(values.label, 'relabel')
        })
        return json ? JSON.stringify(r) : `${target} is now a ${r.label}`
      }
      case 'export': {
        if ((values.format ?? 'idx') !== 'idx')
          throw new EngineError(
            'BAD_REQUEST',
            `digits export: --format "${values.format}": only idx`
          )
        if (!values.out)
          throw new EngineError('BAD_REQUEST', `digits export needs --out DIR\n${DIGITS_USAGE}`)
        const r = await engine.request('digits:export', { out: resolve(values.out) })
        return json
          ? JSON.stringify(r)
          : `Exported ${r.count} digits:\n  ${r.images}\n  ${r.labels}`
      }
      default:
        throw new EngineError('BAD_REQUEST', `unknown digits action "${action}"\n${DIGITS_USAGE}`)
    }
  })
  process.stdout.write(out + '\n')
  return 0
}
