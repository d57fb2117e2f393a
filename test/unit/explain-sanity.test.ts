import { beforeAll, describe, expect, it } from 'vitest'
import { selectBackend } from '#engine/backend/selection'
import { EXPLAIN_METHODS, type ExplainMethod } from '#shared/protocol/explain'
import { SALIENCY_SANITY, type SanityVerdict } from '#shared/saliency-sanity'
import { ensureExplainModel } from '../fixtures/explain-model'
import {
  MASS_LIMIT,
  measureSanity,
  RHO_LIMIT,
  type RandomisationStage,
  type SanityReport
} from '../fixtures/explain-sanity'

// Are the saliency maps true to the model? The sanity checks of Adebayo et al. 2018 and the
// deletion metric, on the first 100 MNIST test digits, for a `seed` model trained one epoch on all
// of MNIST on one thread (the same model, so the same figures, on every run), with the engine's
// own explain code on the fallback backend. `node --import tsx scripts/explain-sanity.ts` prints
// every figure (README "Honest explanations").

const DIGITS = 100

/**
 * Checks that fail on this model, measured (share of digits with rho < 0.5; the issue asks >= 0.9).
 * They stay in the suite as expected failures, so the report shows them, and a method change that
 * makes one pass turns the suite red until this table and the README are updated. Why they fail:
 * with only the top layers random, |SmoothGrad| and |IG| still follow where the trained
 * convolutions fire (median rho 0.60 and 0.53 at the output layer, against 0.40 and 0.35 for a
 * fully random network); occlusion's drop scales with the ink under the patch whatever the
 * weights, so even a fully random network's map ranks pixels alike (README). Choices within each
 * method (what is differentiated or scored, SmoothGrad's noise and samples, occlusion's patch,
 * stride, fill and score) were measured with scripts/saliency-variants.ts: none passes every check
 * (README "Choices within each method, measured").
 */
const KNOWN_FAILURES: Record<string, number> = {
  'smoothgrad cascade 1': 0.07,
  'smoothgrad cascade 2': 0.62,
  'ig cascade 1': 0.44,
  'ig cascade 2': 0.87,
  'occlusion cascade 1': 0.04,
  'occlusion cascade 2': 0.1,
  'occlusion cascade 3': 0.14,
  'occlusion cascade 4': 0.21,
  'occlusion all layers': 0.12
}

let report: SanityReport

beforeAll(async () => {
  const dir = await ensureExplainModel()
  await selectBackend('wasm')
  report = await measureSanity(dir, DIGITS)
  console.log(`explain sanity figures: ${JSON.stringify(report)}`)
}, 1_200_000)

const stages = (m: ExplainMethod) => report.randomisation[m]

describe('model randomisation (Spearman of |map| with the trained map < 0.5 on >= 90 % of digits)', () => {
  const cases = EXPLAIN_METHODS.flatMap((m) =>
    [1, 2, 3, 4, 'all' as const].map((depth) => ({
      m,
      depth,
      key: `${m} ${depth === 'all' ? 'all layers' : `cascade ${depth}`}`
    }))
  )
  for (const { m, depth, key } of cases) {
    const known = KNOWN_FAILURES[key]
    const title =
      known === undefined
        ? key
        : `${key}: KNOWN FAILURE, measured ${Math.round(known * 100)} % of digits (expected to fail)`
    ;(known === undefined ? it : it.fails)(title, () => {
      const stage = stages(m).find((s) => s.depth === depth)!
      expect(stage, `${key} measured`).toBeDefined()
      expect(RHO_LIMIT).toBe(0.5)
      expect(
        stage.figure.share,
        `${key}: ${stage.stage}, median rho ${stage.figure.median.toFixed(2)}`
      ).toBeGreaterThanOrEqual(0.9)
    })
  }
})

describe('localisation (>= 70 % of |map| on the ink dilated by 2 px, on >= 90 % of digits)', () => {
  it.each(['smoothgrad', 'occlusion'] as const)('%s', (m) => {
    const f = report.localisation[m]!
    expect(MASS_LIMIT).toBe(0.7)
    expect(f.share, `median mass on the ink ${f.median.toFixed(2)}`).toBeGreaterThanOrEqual(0.9)
  })
})

describe('deletion (top 10 % salient ink lowers the target probability more than a random 10 %, on >= 80 %)', () => {
  it.each(EXPLAIN_METHODS)('%s', (m) => {
    expect(report.deletion[m].share).toBeGreaterThanOrEqual(0.8)
  })
})

describe('occlusion and gradients agree', () => {
  it("in sign on occlusion's strongest 4x4 region (gradient x input), for most digits", () => {
    // Measured 100 % of digits on this model; "most" is the issue's word.
    expect(report.signAgreement.share).toBeGreaterThan(0.5)
  })
})

describe('the Inside view claims no more than the checks found', () => {
  const passes = (s: RandomisationStage): boolean => s.figure.share >= 0.9
  /** passes: every stage; partly: a fully random network (both ways) changes the map; else fails. */
  const measuredVerdict = (m: ExplainMethod): SanityVerdict => {
    const all = stages(m)
    const fullyRandom = [
      all.find((s) => s.depth === 'all')!,
      all.filter((s) => s.depth !== 'all').at(-1)!
    ]
    if (all.every(passes)) return 'passes'
    return fullyRandom.every(passes) ? 'partly' : 'fails'
  }
  it.each(EXPLAIN_METHODS)('%s: the verdict shown beside the map matches the measured one', (m) => {
    expect(SALIENCY_SANITY[m].verdict).toBe(measuredVerdict(m))
  })
})
