/**
 * Measures the saliency sanity checks (test/fixtures/explain-sanity.ts) for implementation choices
 * within a method (test/fixtures/saliency-variants.ts), one line per variant: the share of digits
 * passing each randomisation stage (median rho), localisation and deletion. The README's table of
 * tried variants comes from it.
 *
 *   node --import tsx scripts/saliency-variants.ts MODEL_DIR [--digits 30] [--backend wasm|native]
 *     [--stages 1,2,3,4,all] --variant smoothgrad:objective=log-softmax,noise=0.2,samples=16 ...
 *
 * Variant keys: objective (logit|logit-mean|log-softmax|probability), noise, samples, clamp (0|1),
 * steps; for occlusion patch, stride, fill (black|mean|blur), score (logit|probability|log-probability).
 * Unnamed keys keep the engine's choice.
 */
import { parseArgs } from 'node:util'
import { requestedBackend, selectBackend } from '#engine/backend/selection'
import { EXPLAIN_METHODS, type ExplainMethod } from '#shared/protocol/explain'
import { measureSanity, type Figure } from '../test/fixtures/explain-sanity'
import {
  ENGINE_GRADIENT,
  ENGINE_OCCLUSION,
  variantMap,
  type Variant
} from '../test/fixtures/saliency-variants'

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    digits: { type: 'string', default: '30' },
    backend: { type: 'string' },
    stages: { type: 'string', default: '1,2,3,4,all' },
    variant: { type: 'string', multiple: true, default: ['smoothgrad', 'ig', 'occlusion'] }
  }
})

function parseVariant(spec: string): Variant {
  const [method, rest = ''] = spec.split(':')
  if (!(EXPLAIN_METHODS as readonly string[]).includes(method))
    throw new Error(`--variant ${spec}: method must be one of ${EXPLAIN_METHODS.join(', ')}`)
  const gradient: Record<string, unknown> = { ...ENGINE_GRADIENT }
  const occlusion: Record<string, unknown> = { ...ENGINE_OCCLUSION }
  for (const pair of rest.split(',').filter(Boolean)) {
    const [key, value] = pair.split('=')
    const target = method === 'occlusion' ? occlusion : gradient
    if (!(key in target)) throw new Error(`--variant ${spec}: no key "${key}" for ${method}`)
    const old = target[key]
    target[key] =
      typeof old === 'number' ? Number(value) : typeof old === 'boolean' ? value === '1' : value
  }
  return {
    method: method as ExplainMethod,
    gradient: gradient as unknown as Variant['gradient'],
    occlusion: occlusion as unknown as Variant['occlusion']
  }
}

const pct = (f: Figure | undefined): string =>
  f ? `${Math.round(f.share * 100)}% (${f.median.toFixed(2)})` : '-'

const backend = await selectBackend(
  requestedBackend(values.backend ? { DIGIT_STUDIO_BACKEND: values.backend } : process.env)
)
const depths = values.stages.split(',').map((d) => (d === 'all' ? ('all' as const) : Number(d)))
const modelDir = positionals[0]
if (!modelDir) throw new Error('usage: saliency-variants.ts MODEL_DIR --variant ...')
console.log(`backend ${backend.kind}, ${values.digits} digits, stages ${values.stages}`)
for (const spec of values.variant) {
  const variant = parseVariant(spec)
  const started = performance.now()
  const report = await measureSanity(modelDir, Number(values.digits), [variant.method], undefined, {
    mapOf: (anatomy, input, _method, weights) => variantMap(variant, anatomy, input, weights),
    depths
  })
  const m = variant.method
  const stages = report.randomisation[m].map((s) => `${s.depth}: ${pct(s.figure)}`).join(' | ')
  console.log(
    `${spec} || ${stages} || loc ${pct(report.localisation[m])} | del ${pct(report.deletion[m])} ` +
      `[${((performance.now() - started) / 1000).toFixed(0)} s]`
  )
}
