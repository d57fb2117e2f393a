/**
 * RELIABILITY R7: the classify schema (checked in main and again in the engine) caps the bytes of
 * each file and of the whole request, with a message naming the file.
 */
import * as v from 'valibot'
import { describe, expect, it } from 'vitest'
import { CLASSIFY_LIMITS, classifyParamSchemas } from '#shared/protocol/classify'

const ClassifyImagesParamsSchema = classifyParamSchemas['classify:images']
import { APP_ORIGIN } from '../../src/main/app-protocol'
import { guarded } from '../../src/main/ipc/guard'

const file = (name: string, bytes: number): { name: string; bytes: Uint8Array } => ({
  name,
  bytes: new Uint8Array(bytes)
})

describe('classify byte caps (RELIABILITY R7)', () => {
  it('accepts files up to the per-file cap', () => {
    expect(
      v.is(ClassifyImagesParamsSchema, { files: [file('a.png', CLASSIFY_LIMITS.maxBytes)] })
    ).toBe(true)
  })

  it('refuses one file over the cap, naming it, before any handler runs', async () => {
    let reached = false
    const handle = guarded('classify:images', [APP_ORIGIN], () => (reached = true))
    const reply = await handle(
      { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } },
      { files: [file('small.png', 10), file('poster.tiff', CLASSIFY_LIMITS.maxBytes + 1)] }
    )
    expect(reached).toBe(false)
    expect(reply.ok).toBe(false)
    if (!reply.ok) {
      expect(reply.error.code).toBe('BAD_REQUEST')
      expect(reply.error.message).toContain('poster.tiff: 50.0 MB is over the 50.0 MB limit')
    }
  })

  it('refuses a request whose files add up to more than the total cap', () => {
    const each = 40 * 2 ** 20
    const result = v.safeParse(ClassifyImagesParamsSchema, {
      files: [file('a.png', each), file('b.png', each)]
    })
    expect(result.success).toBe(false)
    if (!result.success)
      expect(result.issues[0].message).toMatch(
        /80\.0 MB of images in one request is over the 64\.0 MB limit/
      )
  })
})
