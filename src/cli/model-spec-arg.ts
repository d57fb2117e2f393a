/**
 * `--model-spec FILE.json|NAME`: a Keras Sequential JSON file, or the name of a preset or saved
 * architecture. The CLI reads the file (so the message names it) and the engine checks it, so
 * `model`, `train` and the app refuse the same architectures with the same words.
 */
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import type { EngineClient } from '#host/engine-client'
import { EngineError } from '#shared/errors'
import type { ArchitectureCheck } from '#shared/protocol/architectures'

/** Checks the architecture `value` names; the check says whether it can be trained. */
export async function checkModelSpecArg(
  engine: EngineClient,
  value: string,
  batchSize?: number
): Promise<ArchitectureCheck> {
  const looksLikeFile = value.endsWith('.json') || value.includes('/') || existsSync(value)
  if (!looksLikeFile) return engine.request('architectures:check', { name: value, batchSize })
  const file = resolve(value)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (err) {
    throw new EngineError(
      'FILE_UNREADABLE',
      `${file}: cannot read the model spec (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`
    )
  }
  return engine.request('architectures:check', { keras: text, source: file, batchSize })
}
