import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { contrastRatio, mixColors, themeTokens } from '../helpers/css-contrast'

// Text contrast of every text/background pairing the views use, in both themes, from app.css's
// own tokens: WCAG AA asks 4.5:1 for normal text.

const css = readFileSync('src/renderer/src/app.css', 'utf8')
const themes = themeTokens(css)

/** [text token, background token] pairs the components use for text. */
const PAIRS: [string, string][] = [
  ['--text', '--bg'],
  ['--text', '--surface-1'],
  ['--text', '--surface-2'],
  ['--text', '--surface-3'],
  ['--text-muted', '--bg'],
  ['--text-muted', '--surface-1'],
  ['--text-muted', '--surface-2'],
  ['--accent-text', '--accent'],
  ['--accent', '--surface-1'],
  ['--danger', '--surface-1'],
  ['--success', '--surface-1'],
  ['--warning', '--surface-1']
]

describe('colour contrast (WCAG AA, 4.5:1)', () => {
  it('reads both themes from app.css', () => {
    expect(themes.light['--text']).toMatch(/^#/)
    expect(themes.dark['--bg']).not.toBe(themes.light['--bg'])
  })

  for (const [name, tokens] of Object.entries(themes)) {
    it(`${name}: every text colour on its background`, () => {
      const failing = PAIRS.map(([fg, bg]) => ({
        pair: `${fg} on ${bg}`,
        ratio: Math.round(contrastRatio(tokens[fg], tokens[bg]) * 100) / 100
      })).filter((p) => p.ratio < 4.5)
      expect(failing).toEqual([])
    })

    it(`${name}: status pills (a colour on its own 12 % tint, ControlsPanel)`, () => {
      for (const fg of ['--accent', '--success', '--warning', '--danger']) {
        const pill = mixColors(tokens[fg], 0.12, tokens['--surface-1'])
        expect(contrastRatio(tokens[fg], pill), fg).toBeGreaterThanOrEqual(4.5)
      }
    })
  }

  it('computes known ratios', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5)
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2)
  })
})
