/**
 * Running the tools `npm run native` drives (npm, pip, node-gyp, strip) with their output kept
 * out of the terminal: each step shows one progress line, and the full output goes to a log
 * file whose tail explains a failure.
 */
import { spawn } from 'node:child_process'
import { appendFileSync, mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

/** A step failed in a way the user can act on: `message` is the paragraph printed. */
export class SetupError extends Error {}

/** The progress line of one step: `native [3/7] libtensorflow: …`. */
export function progress(index, total, label, detail = '') {
  console.log(`native [${index}/${total}] ${label}${detail ? `: ${detail}` : ''}`)
}

/**
 * Runs a command, appending its stdout and stderr to `log`; resolves with the exit code and
 * the last lines of output (for the failure paragraph). Never rejects.
 */
export function run(command, args, { cwd, env, log, input } = {}) {
  if (log) {
    mkdirSync(dirname(log), { recursive: true })
    appendFileSync(log, `\n$ ${command} ${args.join(' ')}\n`)
  }
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      env: env ?? process.env,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    let tail = ''
    let stdout = ''
    const keep = (chunk, isStdout) => {
      const text = chunk.toString()
      if (isStdout) stdout += text
      tail = (tail + text).slice(-4000)
      if (log) appendFileSync(log, text)
    }
    child.stdout.on('data', (c) => keep(c, true))
    child.stderr.on('data', (c) => keep(c, false))
    if (input !== undefined) child.stdin.end(input)
    child.on('error', (err) => resolve({ code: 127, stdout, tail: `${tail}\n${err.message}` }))
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, tail }))
  })
}

/** The last meaningful line of a tool's output, for a one-paragraph reason. */
export function lastLine(text) {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
  return lines.at(-1) ?? '(no output)'
}
