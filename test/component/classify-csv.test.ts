// The Classify view's CSV: one row per file and page, quotes escaped, formulas neutralised.
import { describe, expect, it } from 'vitest'
import { resultsToCsv } from '../../src/renderer/src/lib/image/csv'

describe('CSV', () => {
  it('one row per file, quotes escaped, formulas neutralised', () => {
    const csv = resultsToCsv([
      {
        name: 'a "b".png',
        ok: true,
        format: 'png',
        digits: '31',
        millis: 1,
        pages: [
          {
            page: 0,
            width: 1,
            height: 1,
            digits: '31',
            inverted: true,
            threshold: 1,
            predictions: [
              {
                label: 3,
                confidence: 0.9,
                top3: [],
                lowConfidence: false,
                box: [0, 0, 1, 1],
                line: 0
              },
              {
                label: 1,
                confidence: 0.5,
                top3: [],
                lowConfidence: true,
                box: [0, 0, 1, 1],
                line: 0
              }
            ]
          }
        ]
      },
      {
        name: '=cmd.png',
        ok: false,
        error: { name: 'EngineError', code: 'IMAGE_INVALID', message: 'x: broken, badly' }
      }
    ])
    expect(csv.split('\r\n')).toEqual([
      'file,page,status,digits,confidences,low_confidence,error,corrected',
      '"a ""b"".png",1,ok,31,0.900 0.500,1,,',
      `'=cmd.png,,error,,,,"IMAGE_INVALID: x: broken, badly",`,
      ''
    ])
  })

  it('a multi-page file gives one row per page, numbered from 1', () => {
    const page = (n: number, digits: string) => ({
      page: n,
      width: 1,
      height: 1,
      digits,
      inverted: true,
      threshold: 1,
      predictions: [...digits].map((d) => ({
        label: Number(d),
        confidence: 0.95,
        top3: [],
        lowConfidence: false,
        box: [0, 0, 1, 1] as [number, number, number, number],
        line: 0
      }))
    })
    const csv = resultsToCsv([
      {
        name: 'sheets.pdf',
        ok: true,
        format: 'pdf',
        digits: '12 7',
        millis: 1,
        pages: [page(0, '12'), page(1, ''), page(2, '7')]
      }
    ])
    expect(csv.split('\r\n')).toEqual([
      'file,page,status,digits,confidences,low_confidence,error,corrected',
      'sheets.pdf,1,ok,12,0.950 0.950,0,,',
      'sheets.pdf,2,ok,,,0,,',
      'sheets.pdf,3,ok,7,0.950,0,,',
      ''
    ])
    // A correction on page 3 changes that page's digits and names the position it changed.
    const corrected = resultsToCsv(
      [
        {
          name: 'sheets.pdf',
          ok: true,
          format: 'pdf',
          digits: '12 7',
          millis: 1,
          pages: [page(0, '12'), page(1, ''), page(2, '7')]
        }
      ],
      new Map([
        ['0/2/0', 1],
        ['0/0/1', 2]
      ])
    )
    expect(corrected.split('\r\n').slice(1, 4)).toEqual([
      'sheets.pdf,1,ok,12,0.950 0.950,0,,',
      'sheets.pdf,2,ok,,,0,,',
      'sheets.pdf,3,ok,1,0.950,0,,1'
    ])
  })
})
