/**
 * `my-digits/digits.csv`: one row per kept digit (name, label, source file, date added, label
 * history), RFC 4180 quoting so any source name round-trips and any spreadsheet opens it.
 */
import type { LabelChange, MyDigit } from '#shared/protocol/digits'

const HEADER = ['name', 'label', 'source', 'added', 'history']

function quote(field: string): string {
  return /[",\r\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field
}

/** Rows of a CSV text (fields unquoted); tolerant of a missing final newline. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"'
        i++
      } else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      row.push(field)
      field = ''
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else field += c
  }
  if (field !== '' || row.length > 0) rows.push([...row, field])
  return rows
}

/** "7@2026-12-03T13:00:00.000Z 1@2026-12-03T13:05:00.000Z": each label with the date it was given. */
function formatHistory(history: LabelChange[]): string {
  return history.map((h) => `${h.label}@${h.date}`).join(' ')
}

function parseHistory(text: string): LabelChange[] {
  return text
    .split(' ')
    .filter(Boolean)
    .map((entry) => {
      const at = entry.indexOf('@')
      return { label: Number(entry.slice(0, at)), date: entry.slice(at + 1) }
    })
    .filter((h) => Number.isInteger(h.label) && h.label >= 0 && h.label <= 9)
}

/** The CSV text for `digits`, header first. */
export function formatDigitsCsv(digits: MyDigit[]): string {
  const lines = [HEADER.join(',')]
  for (const d of digits) {
    lines.push(
      [d.name, String(d.label), d.source, d.added, formatHistory(d.history)].map(quote).join(',')
    )
  }
  return lines.join('\n') + '\n'
}

/**
 * The digits a CSV text records. Rows that can't be read (hand-edited, cut short) are left out:
 * the start-up sweep rebuilds a row for every image that has none, so no image is lost by it.
 */
export function parseDigitsCsv(text: string): MyDigit[] {
  const rows = parseCsv(text)
  const out: MyDigit[] = []
  for (const row of rows.slice(rows[0]?.[0] === 'name' ? 1 : 0)) {
    const [name, label, source, added, history] = row
    const n = Number(label)
    if (!name || !Number.isInteger(n) || n < 0 || n > 9) continue
    out.push({
      name,
      label: n,
      source: source ?? '',
      added: added ?? '',
      history: parseHistory(history ?? '')
    })
  }
  return out
}
