/**
 * The page side of the e2e bridge: bridge-page.ts (and with it the preload's createApi) bundled
 * once per test process into a script the harness adds to every page.
 */
import { join } from 'node:path'
import { build } from 'vite'
import { ROOT } from './static-server'

let bridgeScript: Promise<string> | null = null

/** Bundles bridge-page.ts (and with it the preload's createApi) into one script for the page. */
export function bundleBridge(): Promise<string> {
  bridgeScript ??= (async () => {
    const output = await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: false,
        lib: {
          entry: join(ROOT, 'test/e2e/bridge-page.ts'),
          formats: ['iife'],
          name: 'digitStudioBridge'
        }
      }
    })
    const outputs = Array.isArray(output) ? output : [output]
    for (const o of outputs) {
      if ('output' in o) {
        const chunk = o.output.find((c) => c.type === 'chunk')
        if (chunk && 'code' in chunk) return chunk.code
      }
    }
    throw new Error('bundling the e2e bridge produced no script')
  })()
  return bridgeScript
}
