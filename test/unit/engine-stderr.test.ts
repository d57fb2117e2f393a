import { describe, expect, it } from 'vitest'
import { classifyStderrLine, createStderrRouter, type LogLevel } from '#host/engine-stderr'

// What libtensorflow 2.21 (through tfjs-node) printed on stderr when the engine started here.
const TF_START = [
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
  'I0000 00:00:1796293069.212250   25253 port.cc:153] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
  'I0000 00:00:1796293069.282858   25253 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU instructions in performance-critical operations.',
  'To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX512_FP16 AVX_VNNI AMX_TILE AMX_INT8 AMX_BF16 FMA, in other operations, rebuild TensorFlow with the appropriate compiler flags.'
]

function route(chunks: string[]): { terminal: string; log: [LogLevel, string][] } {
  let terminal = ''
  const log: [LogLevel, string][] = []
  const router = createStderrRouter({
    toTerminal: (text) => (terminal += text),
    toLog: (level, message) => log.push([level, message])
  })
  for (const chunk of chunks) router.write(chunk)
  router.flush()
  return { terminal, log }
}

describe('engine stderr routing', () => {
  it("sends TensorFlow's start-up lines (one write, as TF makes it) to the engine log, not the terminal", () => {
    const { terminal, log } = route([TF_START.join('\n') + '\n'])
    expect(terminal).toBe('')
    expect(log.map(([, m]) => m)).toEqual(TF_START)
    expect(log.every(([level]) => level === 'info')).toBe(true)
  })

  it('keeps real errors and our own messages on the terminal, whole lines, across chunk boundaries', () => {
    const fatal = 'digit-studio engine: BACKEND_FAILED: tfjs-node failed to load: boom'
    const tfError =
      'E0000 00:00:1796293069.212250   25253 op_kernel.cc:1830] OP_REQUIRES failed at conv_ops.cc:1'
    const { terminal, log } = route([
      TF_START[1] + '\n',
      fatal.slice(0, 20),
      fatal.slice(20) + '\n' + tfError + '\nno newline at the end'
    ])
    expect(terminal).toBe(`${fatal}\n${tfError}\nno newline at the end\n`)
    expect(log).toHaveLength(1)
  })

  it('classifies by severity: TF INFO and WARNING to the log, ERROR and FATAL to the terminal', () => {
    const line = (sev: string): string =>
      `${sev}1203 10:17:30.123456   4242 some_file.cc:12] message`
    expect(['I', 'W', 'E', 'F'].map((s) => classifyStderrLine(line(s)))).toEqual([
      'info',
      'warn',
      null,
      null
    ])
    expect(classifyStderrLine('Error: Cannot find module x')).toBeNull()
    expect(
      classifyStderrLine(
        'Hi, looks like you are running TensorFlow.js in Node.js. To speed things up dramatically, install our node backend, visit https://github.com/tensorflow/tfjs-node for more details. '
      )
    ).toBe('info')
  })

  it('an unprefixed line in a later write is not taken for a continuation', () => {
    const { terminal } = route([TF_START[2] + '\n', 'a real problem\n'])
    expect(terminal).toBe('a real problem\n')
  })
})
