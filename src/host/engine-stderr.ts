/**
 * Splits the engine process's stderr into what the user must see (our own fatal messages, real
 * TensorFlow errors, anything unknown) and TensorFlow's start-up chatter (oneDNN and CPU-feature
 * notices, absl's "before InitializeLog" banner, tfjs's "install our node backend" banner), which
 * goes to the engine log instead of the user's terminal. Every host that starts an engine
 * (child_process for the CLI and tests, utilityProcess in Electron) routes stderr through here.
 */

export type LogLevel = 'info' | 'warn'

interface StderrRoutes {
  /** Text the user should see, whole lines with their newline. */
  toTerminal(text: string): void
  /** A routed line, without its newline. */
  toLog(level: LogLevel, message: string): void
}

/**
 * TensorFlow's C++ log prefix (absl/TF logging): severity letter, MMDD, time, thread id,
 * file:line (before absl is initialised the "time" is seconds since 1970). INFO and WARNING lines are chatter; ERROR and FATAL stay visible.
 */
const TF_LOG_LINE = /^([IWEF])\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [\w.-]+:\d+\] /

/** absl prints this once before the first TensorFlow log line. */
const ABSL_BANNER =
  /^WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR$/

/** tfjs-backend-cpu's banner (a console.warn block) when the pure-JS backend first holds data. */
const TFJS_BANNER = /^(=+|Hi, looks like you are running TensorFlow\.js in Node\.js\..*)$/

/** Where one line goes: to the log with a level, or null for the terminal. */
export function classifyStderrLine(line: string): LogLevel | null {
  const tf = TF_LOG_LINE.exec(line)
  if (tf) return tf[1] === 'I' ? 'info' : tf[1] === 'W' ? 'warn' : null
  if (ABSL_BANNER.test(line) || TFJS_BANNER.test(line)) return 'info'
  return null
}

/**
 * A line-buffered router: feed it stderr chunks as they come; `flush` delivers an unfinished
 * last line (call it when the process has exited). Blank lines are dropped. TensorFlow writes a
 * multi-line message (the CPU-feature notice) in one write, so an unprefixed line that arrives in
 * the same chunk right after a routed line is its continuation and is routed with it.
 */
export function createStderrRouter(routes: StderrRoutes): {
  write(chunk: Buffer | string): void
  flush(): void
} {
  let pending = ''
  let continuation: LogLevel | null = null
  const route = (line: string): void => {
    if (line.trim() === '') return
    const level = classifyStderrLine(line)
    if (level) routes.toLog(level, line)
    else if (continuation && !TF_LOG_LINE.test(line)) routes.toLog(continuation, line)
    else routes.toTerminal(`${line}\n`)
    continuation = level ?? (continuation && !TF_LOG_LINE.test(line) ? continuation : null)
  }
  return {
    write(chunk) {
      continuation = null
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) route(line.replace(/\r$/, ''))
    },
    flush() {
      continuation = null
      if (pending !== '') route(pending)
      pending = ''
    }
  }
}
