/**
 * Runs the real `digit-studio` bin in a child process, as a user would, for the CLI tests.
 */
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** The bin script every CLI test runs. */
export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'digit-studio.mjs')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the CLI with `env` over this process's environment; resolves with its exit code and output
 * whatever the code. Output may be large (`explain --json` prints 28×28 maps), hence the buffer.
 */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  try {
    const r = await run(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 64 * 2 ** 20
    })
    return { code: 0, stdout: r.stdout, stderr: r.stderr }
  } catch (err) {
    const e = err as CliResult
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
