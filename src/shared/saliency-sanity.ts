import type { ExplainMethod } from './protocol/explain'

// What the saliency sanity checks (Adebayo et al. 2018, model randomisation; README "Honest
// explanations") found for each method, in the words the Inside view shows beside it, so the view
// claims no more than the checks do. test/unit/explain-sanity.test.ts derives each verdict from
// the measured figures and fails when this table says otherwise.

/**
 * `passes`: every randomisation stage changes the map; `partly`: a fully random network gives a
 * different map, but with only the top layers random it still looks alike; `fails`: even a fully
 * random network gives a similar map, so the map says little about what this model learned.
 */
export type SanityVerdict = 'passes' | 'partly' | 'fails'

interface MethodSanity {
  verdict: SanityVerdict
  /** One or two sentences for the user: what the map can and cannot be trusted for. */
  note: string
}

const GRADIENT_NOTE =
  'Passes the randomisation check for the convolutions (random filters give a different map), ' +
  'not for the output layers: it shows where the trained features fire for this class more than ' +
  'how the last layers weigh them.'

export const SALIENCY_SANITY: Record<ExplainMethod, MethodSanity> = {
  smoothgrad: { verdict: 'partly', note: GRADIENT_NOTE },
  ig: { verdict: 'partly', note: GRADIENT_NOTE },
  occlusion: {
    verdict: 'fails',
    note:
      'Fails the randomisation check: a network with random weights gives a similar map, since ' +
      'hiding ink changes almost any network’s score. A cross-check of where the ink matters, ' +
      'not an explanation of what this model learned.'
  }
}
