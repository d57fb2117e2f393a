/**
 * `architectures:check`: one architecture, from whichever form it comes in (typed spec, Keras JSON
 * text or object, preset or saved name), completed with the fixed classifier, analysed, and held
 * against the parameter cap and the memory this machine has free now. The CLI, the app and
 * training all refuse the same architectures with the same words.
 */
import { freemem } from 'node:os'
import * as v from 'valibot'
import { EngineError } from '#shared/errors'
import { analyseLayers, estimateTrainingBytes, firstProblem } from '#shared/model-spec/analyse'
import { completeSpec } from '#shared/model-spec/complete'
import { specFromKerasJson, specToKerasJson } from '#shared/model-spec/keras-json'
import { ModelSpecSchema, type ModelSpec } from '#shared/model-spec/schema'
import type { ArchitectureCheck, ArchitectureMethods } from '#shared/protocol/architectures'
import { describeIssues } from '#shared/schema-issues'
import { architectureByName } from '../store/architectures'

const DEFAULT_BATCH = 128
const mb = (bytes: number): string => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MB`

type CheckParams = ArchitectureMethods['architectures:check']['params']

async function specOf(params: CheckParams): Promise<ModelSpec> {
  const given = [params.spec, params.keras, params.name].filter((x) => x !== undefined).length
  if (given !== 1)
    throw new EngineError('BAD_REQUEST', 'give exactly one of spec, keras (JSON) or name')
  if (params.name !== undefined) return architectureByName(params.name)
  const source = params.source ?? (params.keras !== undefined ? 'Keras JSON' : 'architecture')
  if (params.keras !== undefined) {
    let json = params.keras
    if (typeof json === 'string') {
      try {
        json = JSON.parse(json)
      } catch (err) {
        throw new EngineError('MODEL_INVALID', `${source}: not JSON (${(err as Error).message})`)
      }
    }
    return specFromKerasJson(json, source)
  }
  const parsed = v.safeParse(ModelSpecSchema, params.spec)
  if (!parsed.success)
    throw new EngineError('MODEL_INVALID', `${source}: ${describeIssues(parsed.issues)}`)
  return parsed.output
}

/** The memory problem of training `bytes` when `available` is free, in words, or null. */
function memoryProblem(trainingBytes: number, availableBytes: number): string | null {
  if (trainingBytes <= availableBytes) return null
  return `training would need about ${mb(trainingBytes)} of memory, and this machine has ${mb(availableBytes)} free: use fewer filters or units, pool earlier, or a smaller batch`
}

/** Checks an architecture; `problem` says what stops it from training, or is null. */
export async function checkArchitecture(params: CheckParams): Promise<ArchitectureCheck> {
  const spec = completeSpec(await specOf(params))
  const analysis = analyseLayers(spec.layers)
  const batchSize = params.batchSize ?? DEFAULT_BATCH
  const trainingBytes = estimateTrainingBytes(analysis, batchSize)
  const availableBytes = freemem()
  const problem = firstProblem(analysis) ?? memoryProblem(trainingBytes, availableBytes)
  return {
    spec,
    analysis,
    trainingBytes,
    availableBytes,
    batchSize,
    problem,
    keras: specToKerasJson(spec)
  }
}

/** Refuses, with MODEL_INVALID and the figures, an architecture a run can't train. */
export function assertTrainable(spec: ModelSpec, batchSize: number): void {
  const analysis = analyseLayers(spec.layers)
  const problem =
    firstProblem(analysis) ?? memoryProblem(estimateTrainingBytes(analysis, batchSize), freemem())
  if (problem) throw new EngineError('MODEL_INVALID', `architecture "${spec.name}": ${problem}`)
}
