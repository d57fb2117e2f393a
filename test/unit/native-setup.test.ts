/**
 * The decisions of `npm run native` (scripts/native/plan.mjs): which machine gets which steps or
 * which reason, which wheel members are unpacked, the deps/lib layout and the binding cache key.
 * The real build is exercised by running `npm run native` itself; nothing here fakes it.
 */
import { lstatSync, readlinkSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import {
  ALTERNATIVE,
  bindingCacheKey,
  libLayout,
  pickNodeDir,
  planSetup,
  selectWheelMembers,
  wheelTarget,
  type BindingVersions,
  type SetupEnvironment
} from '../../scripts/native/plan.mjs'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** A Linux x64 machine with every tool and an empty cache. */
function machine(overrides: Partial<SetupEnvironment> = {}): SetupEnvironment {
  return {
    platform: 'linux',
    arch: 'x64',
    execPath: '/usr/bin/node',
    nodeVersion: '20.20.2',
    python3: true,
    pip: true,
    unzip: false,
    cxx: 'g++',
    make: true,
    nodeDir: '/usr',
    nodeGyp: '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    cache: { libtensorflow: false, wheel: false, binding: false },
    ...overrides
  }
}

const cached = { libtensorflow: true, wheel: true, binding: true }

function reasonOf(env: SetupEnvironment): string {
  const plan = planSetup(env)
  if (plan.ok) throw new Error(`expected a reason, got steps ${plan.steps.map((s) => s.id)}`)
  return plan.reason
}

describe('planSetup', () => {
  it('plans every step, in order, on a Linux x64 machine with the tools', () => {
    const plan = planSetup(machine())
    expect(plan.ok).toBe(true)
    if (!plan.ok) return
    expect(plan.steps.map((s) => s.id)).toEqual([
      'platform',
      'tools',
      'tfjs-node',
      'libtensorflow',
      'layout',
      'binding',
      'smoke'
    ])
    expect(plan.steps[3].label).toMatch(/pip download tensorflow-cpu==2\.21\.0/)
    expect(plan.steps[5].label).toMatch(/node-gyp build/)
  })

  it('says "cached" for what the cache already holds', () => {
    const plan = planSetup(machine({ cache: cached }))
    expect(plan.ok && plan.steps.map((s) => s.label)).toEqual(
      expect.arrayContaining(['libtensorflow (cached)', 'binding (cached)'])
    )
  })

  it.each([
    ['darwin', 'arm64', /darwin-arm64.*tfjs#8228/],
    ['win32', 'x64', /win32-x64/],
    ['linux', 'arm64', /linux-arm64/]
  ])('refuses %s-%s with the reason', (platform, arch, pattern) => {
    const reason = reasonOf(machine({ platform, arch, cache: cached }))
    expect(reason).toMatch(/only on Linux x64/)
    expect(reason).toMatch(pattern)
  })

  it.each<[string, Partial<SetupEnvironment>, RegExp]>([
    [
      'no python3',
      { python3: false, pip: false },
      /python3 is not on PATH.*apt-get install python3 python3-pip/
    ],
    ['no pip', { pip: false }, /no pip.*apt-get install python3-pip/],
    ['no compiler', { cxx: null }, /a C\+\+ compiler \(g\+\+ or \$CXX\) is missing.*g\+\+ make/],
    ['no make', { make: false }, /make is missing/],
    ['no compiler nor make', { cxx: null, make: false }, /compiler .* and make are missing/],
    [
      'no Node headers',
      { nodeDir: null },
      /node_api\.h.*\/usr\/bin\/node.*npm_config_nodedir.*node-v20\.20\.2-headers/
    ],
    ['no node-gyp', { nodeGyp: null }, /node-gyp.*npm_config_node_gyp/]
  ])(
    'with an empty cache and %s: one paragraph, the cause, the fix, the alternative',
    (_, o, pattern) => {
      const reason = reasonOf(machine(o))
      expect(reason).toMatch(pattern)
      expect(reason).not.toContain('\n')
      expect(reason.endsWith(ALTERNATIVE)).toBe(true)
      expect(reason).toMatch(/wasm fallback/)
      expect(reason).toMatch(/npm install @tensorflow\/tfjs-node/)
    }
  )

  it('needs neither python3 nor a compiler when the cache holds libraries and binding (a re-run after npm ci)', () => {
    const plan = planSetup(
      machine({
        python3: false,
        pip: false,
        cxx: null,
        make: false,
        nodeDir: null,
        nodeGyp: null,
        cache: cached
      })
    )
    expect(plan.ok).toBe(true)
  })

  it('unpacks a cached wheel without pip, with python3 or unzip', () => {
    const wheelOnly = { libtensorflow: false, wheel: true, binding: true }
    expect(planSetup(machine({ pip: false, cache: wheelOnly })).ok).toBe(true)
    expect(
      planSetup(machine({ python3: false, pip: false, unzip: true, cache: wheelOnly })).ok
    ).toBe(true)
    expect(reasonOf(machine({ python3: false, pip: false, cache: wheelOnly }))).toMatch(/unzip/)
  })

  it('still needs the compiler when only the libraries are cached', () => {
    const libsOnly = { libtensorflow: true, wheel: true, binding: false }
    expect(reasonOf(machine({ cxx: null, cache: libsOnly }))).toMatch(/C\+\+ compiler/)
    // node-gyp runs gyp, which is Python.
    expect(reasonOf(machine({ python3: false, pip: false, cache: libsOnly }))).toMatch(
      /node-gyp.*python3/
    )
  })
})

describe('the wheel members', () => {
  // Member names as they are in tensorflow_cpu-2.21.0-cp311-cp311-manylinux_2_27_x86_64.whl.
  const wheel = [
    'tensorflow/libtensorflow_cc.so.2',
    'tensorflow/libtensorflow_framework.so.2',
    'tensorflow/include/tensorflow/c/c_api.h',
    'tensorflow/include/tensorflow/c/eager/c_api.h',
    'tensorflow/include/tensorflow/c/c_api_macros.h',
    'tensorflow/include/tensorflow/c/tf_status.h',
    'tensorflow/include/tensorflow/c/tf_tensor.h',
    'tensorflow/include/tensorflow/core/platform/ctstring.h',
    'tensorflow/include/tensorflow/core/platform/ctstring_internal.h',
    'tensorflow/include/tsl/platform/ctstring_internal.h',
    'tensorflow/include/xla/tsl/c/tsl_status.h',
    // Not needed by the binding:
    'tensorflow/include/tensorflow/c/c_api_experimental.h',
    'tensorflow/include/tensorflow/core/framework/tensor.h',
    'tensorflow/python/_pywrap_tensorflow_internal.so',
    'tensorflow/libtensorflow_cc.so.2.extra',
    'tensorflow_cpu-2.21.0.dist-info/RECORD'
  ]

  it('maps libraries to lib/ and the needed headers to include/', () => {
    expect(wheelTarget('tensorflow/libtensorflow_cc.so.2')).toBe('lib/libtensorflow_cc.so.2')
    expect(wheelTarget('tensorflow/include/tensorflow/c/eager/c_api.h')).toBe(
      'include/tensorflow/c/eager/c_api.h'
    )
    expect(wheelTarget('tensorflow/include/xla/tsl/c/tsl_status.h')).toBe(
      'include/xla/tsl/c/tsl_status.h'
    )
    expect(wheelTarget('tensorflow/include/tensorflow/core/framework/tensor.h')).toBeNull()
    expect(wheelTarget('tensorflow/python/_pywrap_tensorflow_internal.so')).toBeNull()
  })

  it('selects 2 libraries and 9 headers from the wheel listing', () => {
    const selection = selectWheelMembers(wheel)
    expect(selection.ok).toBe(true)
    if (!selection.ok) return
    expect(selection.members).toHaveLength(11)
    expect(selection.members.filter((m) => m.target.startsWith('lib/'))).toHaveLength(2)
  })

  it('names what a changed wheel lacks', () => {
    const selection = selectWheelMembers(wheel.filter((m) => !m.endsWith('framework.so.2')))
    expect(selection).toEqual({ ok: false, missing: ['lib/libtensorflow_framework.so.2'] })
  })
})

describe('deps/lib layout', () => {
  it('has the link names binding.gyp links with, each pointing at a real file beside it', () => {
    const { files, links } = libLayout()
    expect(files).toEqual(['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2'])
    // -ltensorflow -ltensorflow_framework, and Google's own libtensorflow name (tfjs#3287).
    expect(links.map((l) => l.name).sort()).toEqual([
      'libtensorflow.so',
      'libtensorflow.so.2',
      'libtensorflow_framework.so'
    ])
    for (const link of links) {
      expect(files).toContain(link.target)
      expect(link.target).not.toContain('/')
    }
  })

  const lib = join(ROOT, 'node_modules/@tensorflow/tfjs-node/deps/lib')
  const setUp = existsSync(join(lib, 'libtensorflow_cc.so.2'))
  it.skipIf(!setUp)('is what `npm run native` left in node_modules (skipped: not run here)', () => {
    const { files, links } = libLayout()
    for (const f of files) expect(lstatSync(join(lib, f)).isFile()).toBe(true)
    for (const l of links) expect(readlinkSync(join(lib, l.name))).toBe(l.target)
  })
})

describe('bindingCacheKey', () => {
  const versions: BindingVersions = {
    tfjsNode: '4.22.0',
    tensorflow: '2.21.0',
    modules: '115',
    napi: 8,
    platform: 'linux',
    arch: 'x64'
  }

  it('names every part', () => {
    expect(bindingCacheKey(versions)).toBe(
      'tfjs-node-4.22.0_tf-2.21.0_node-abi115_napi-v8_linux-x64'
    )
  })

  it.each<[keyof BindingVersions, string | number]>([
    ['tfjsNode', '4.22.1'],
    ['tensorflow', '2.20.0'],
    ['modules', '127'],
    ['napi', 9],
    ['platform', 'darwin'],
    ['arch', 'arm64']
  ])('changes with %s', (part, value) => {
    expect(bindingCacheKey({ ...versions, [part]: value })).not.toBe(bindingCacheKey(versions))
  })

  it('rejects a missing part or one that would leave the cache folder', () => {
    expect(() => bindingCacheKey({ ...versions, modules: undefined as unknown as string })).toThrow(
      /modules/
    )
    expect(() => bindingCacheKey({ ...versions, tensorflow: '../x' })).toThrow(/tensorflow/)
  })
})

describe('pickNodeDir', () => {
  const has =
    (...files: string[]) =>
    (p: string) =>
      files.includes(p)

  it('takes the first prefix with node_api.h and common.gypi', () => {
    const exists = has(
      '/opt/node/include/node/node_api.h',
      '/usr/include/node/node_api.h',
      '/usr/include/node/common.gypi'
    )
    expect(pickNodeDir([undefined, '/opt/node', '/usr', '/usr/local'], exists)).toBe('/usr')
  })

  it('is null when no prefix has the headers', () => {
    expect(pickNodeDir(['/usr', '/usr/local'], has())).toBeNull()
  })
})
