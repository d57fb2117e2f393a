import { describe, expect, it } from 'vitest'
import { deadExportsIn, findDeadExports, unexport } from '../../scripts/dead-exports'

// The dead-export check `npm run lint` runs (scripts/dead-exports.ts).

const files = (entries: Record<string, string>): Map<string, string> =>
  new Map(Object.entries(entries))

describe('findDeadExports', () => {
  const all = files({
    'src/a.ts': [
      'export function used(): number { return local() }',
      'export const onlyHere = 1',
      'export async function unused(): Promise<void> {}',
      'export interface Shape { x: number }',
      'function local(): number { return onlyHere }'
    ].join('\n'),
    'src/b.ts': "import { used } from './a'\nused()",
    'test/a.test.ts': "import type { Shape } from '../src/a'"
  })
  const definitions = new Map([...all].filter(([f]) => f.startsWith('src/a')))

  it('reports exports no other file mentions, even when their own file uses them', () => {
    expect(findDeadExports(definitions, all)).toEqual([
      { file: 'src/a.ts', name: 'onlyHere' },
      { file: 'src/a.ts', name: 'unused' }
    ])
  })

  it('--fix drops only those export keywords', () => {
    const fixed = unexport(all.get('src/a.ts')!, ['onlyHere', 'unused'])
    expect(fixed).toContain('export function used()')
    expect(fixed).toContain('\nconst onlyHere = 1')
    expect(fixed).toContain('\nasync function unused()')
    expect(fixed).toContain('export interface Shape')
  })

  it('finds none in this repository', () => {
    expect(deadExportsIn(process.cwd())).toEqual([])
  })
})
