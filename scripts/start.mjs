#!/usr/bin/env node
/**
 * `npm start`: build with electron-vite and open the app. Where the Electron runtime is missing
 * (it is downloaded apart from the npm package), say so in one paragraph and exit non-zero
 * before spending time on a build. `--check` only does that check (`npm run dev` runs it first,
 * because `require('electron')` without a runtime would start a download attempt instead).
 */
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { ROOT, RUNTIME_MISSING_HELP, electronExecutable } from './electron-runtime.mjs'

/** Runs a command, inheriting the terminal; resolves with its exit code. */
function run(command, args, options = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', cwd: ROOT, ...options })
    child.on('error', (err) => {
      console.error(`digit-studio: could not run ${command}: ${err.message}`)
      resolve(1)
    })
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

const electron = electronExecutable()
if (!electron) {
  console.error(RUNTIME_MISSING_HELP)
  process.exit(1)
}
if (process.argv.includes('--check')) process.exit(0)

const buildCode = await run(process.execPath, [
  join(ROOT, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'),
  'build'
])
if (buildCode !== 0) process.exit(buildCode)
// ELECTRON_RUN_AS_NODE left over in a shell would start Electron as plain Node: drop it.
const env = { ...process.env }
delete env.ELECTRON_RUN_AS_NODE
process.exit(await run(electron, [ROOT, ...process.argv.slice(2)], { env }))
