// The annotated picture shows how the engine grouped a page's digits into lines (issue 16).
import { render, screen } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import AnnotatedImage from '../../src/renderer/src/components/classify/AnnotatedImage.svelte'
import { pageLines } from '../../src/renderer/src/lib/image/lines'
import type { DigitPrediction, PageResult } from '#shared/protocol/classify'

const digit = (label: number, line: number, x: number, y: number): DigitPrediction => ({
  label,
  confidence: 0.9,
  top3: [],
  lowConfidence: false,
  box: [x, y, 20, 30],
  line
})

const page = (predictions: DigitPrediction[]): PageResult => ({
  page: 0,
  width: 200,
  height: 100,
  digits: predictions.map((p) => p.label).join(''),
  predictions,
  inverted: true,
  threshold: 100,
  thumbnail: { width: 2, height: 1, channels: 1, data: new Uint8Array(2) }
})

describe('lines in the annotated picture', () => {
  it('draws one line through each line of digits, through their centres, and names them', () => {
    const { container } = render(AnnotatedImage, {
      page: page([digit(3, 0, 0, 0), digit(5, 0, 30, 16), digit(1, 1, 0, 60), digit(2, 1, 30, 60)]),
      name: 'sheet.png'
    })
    const lines = container.querySelectorAll('polyline')
    expect([...lines].map((l) => l.getAttribute('points'))).toEqual(['10,15 40,31', '10,75 40,75'])
    expect(screen.getByText(/2 lines, read top to bottom/).textContent).toMatch(
      /line 1: 35, line 2: 12/
    )
  })

  it('a one-line page has its line drawn but no legend', () => {
    const { container } = render(AnnotatedImage, {
      page: page([digit(7, 0, 0, 0), digit(4, 0, 30, 0)]),
      name: 'one.png'
    })
    expect(container.querySelectorAll('polyline')).toHaveLength(1)
    expect(screen.queryByText(/lines, read top to bottom/)).toBeNull()
  })

  it('pageLines keeps the engine order within a line and sorts lines', () => {
    const lines = pageLines([digit(1, 1, 0, 60), digit(3, 0, 0, 0), digit(5, 0, 30, 0)])
    expect(lines.map((l) => [l.line, l.indices])).toEqual([
      [0, [1, 2]],
      [1, [0]]
    ])
  })
})
