/**
 * `digit-studio <command>`: the engine for people who live in a terminal, for benchmarks and tests.
 * Each command lives in its own module under ./commands and returns an exit code.
 */
import { EngineError } from '#shared/errors'
import { INFO_USAGE, runInfo } from './commands/info'
import { TRAIN_USAGE, runTrain } from './commands/train'
import { BENCH_USAGE, runBench } from './commands/bench'
import { EXPORT_USAGE, runExport } from './commands/export'
import { RUNS_USAGE, runRuns } from './commands/runs'
import { CLASSIFY_USAGE, runClassify } from './commands/classify'
import { EXPLAIN_USAGE, runExplain } from './commands/explain'
import { MODEL_USAGE, runModel } from './commands/model'
import { DIGITS_USAGE, runDigits } from './commands/digits'
import { TUNE_USAGE, runTune } from './commands/tune'

type Command = { usage: string; run: (argv: string[]) => Promise<number> }

const commands: Record<string, Command> = {
  info: { usage: INFO_USAGE, run: runInfo },
  train: { usage: TRAIN_USAGE, run: runTrain },
  bench: { usage: BENCH_USAGE, run: runBench },
  export: { usage: EXPORT_USAGE, run: runExport },
  runs: { usage: RUNS_USAGE, run: runRuns },
  classify: { usage: CLASSIFY_USAGE, run: runClassify },
  explain: { usage: EXPLAIN_USAGE, run: runExplain },
  model: { usage: MODEL_USAGE, run: runModel },
  digits: { usage: DIGITS_USAGE, run: runDigits },
  tune: { usage: TUNE_USAGE, run: runTune }
}

function usage(): string {
  return ['Usage:', ...Object.values(commands).map((c) => `  ${c.usage}`)].join('\n')
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n')
    return name ? 0 : 1
  }
  const command = commands[name]
  if (!command) {
    process.stderr.write(`digit-studio: unknown command "${name}"\n${usage()}\n`)
    return 1
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`Usage: ${command.usage}\n`)
    return 0
  }
  try {
    return await command.run(rest)
  } catch (err) {
    const code = err instanceof EngineError ? `${err.code}: ` : ''
    process.stderr.write(
      `digit-studio ${name}: ${code}${err instanceof Error ? err.message : String(err)}\n`
    )
    return 2
  }
}

process.exitCode = await main(process.argv.slice(2))
