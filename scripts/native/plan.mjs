/**
 * The decisions of `npm run native`, as pure functions of a described environment: which steps
 * run, what each needs, why it can't run here, where the pieces go. Nothing here touches the disk
 * or spawns a process, so the unit tests can feed it any machine (native.mjs feeds it this one).
 */

/** TensorFlow's pip wheel is where libtensorflow comes from: PyPI-style indexes reach it where Google storage is blocked. */
export const TENSORFLOW_VERSION = '2.21.0'
export const WHEEL_SPEC = `tensorflow-cpu==${TENSORFLOW_VERSION}`
/**
 * pip picks the wheel for this interpreter and platform, not the running one's, so any python3
 * with pip can fetch it. 2.21.0's Linux wheels are manylinux_2_27 x86_64 builds (glibc >= 2.27).
 */
export const WHEEL_PYTHON_VERSION = '3.11'
export const WHEEL_PLATFORM = 'manylinux_2_27_x86_64'
/** The N-API version the binding is built for; tfjs-node 4.22's node-pre-gyp find() picks napi-v8 on Node >= 15. */
export const NAPI_BUILD_VERSION = 8

/** The two shared libraries the binding links against, as they are named inside the wheel. */
export const WHEEL_LIBRARIES = ['libtensorflow_cc.so.2', 'libtensorflow_framework.so.2']

/**
 * The C headers tfjs-node's binding includes, directly or through each other (paths under the
 * wheel's `tensorflow/include/`). Only these are extracted: the wheel holds ~20k other files.
 */
const HEADER_PATTERNS = [
  /^tensorflow\/c\/c_api\.h$/,
  /^tensorflow\/c\/eager\/c_api\.h$/,
  /^tensorflow\/c\/tf_[a-z_]+\.h$/,
  /^tensorflow\/c\/c_api_macros\.h$/,
  /^tensorflow\/core\/platform\/ctstring[a-z_]*\.h$/,
  /^tsl\/platform\/ctstring[a-z_]*\.h$/,
  /^xla\/tsl\/c\/tsl_status\.h$/
]

/**
 * Where a wheel member goes in the extracted cache (`lib/…` or `include/…`), or null when it is
 * not needed. Libraries sit at `tensorflow/<name>`, headers under `tensorflow/include/`.
 */
export function wheelTarget(member) {
  const lib = /^tensorflow\/([^/]+)$/.exec(member)
  if (lib && WHEEL_LIBRARIES.includes(lib[1])) return `lib/${lib[1]}`
  const header = /^tensorflow\/include\/(.+)$/.exec(member)
  if (header && HEADER_PATTERNS.some((p) => p.test(header[1]))) return `include/${header[1]}`
  return null
}

/**
 * Picks the members to extract from the wheel's file list, or explains what is missing (a wheel
 * whose layout changed must fail here, not as a puzzling compiler error later).
 */
export function selectWheelMembers(members) {
  const picked = members
    .map((member) => ({ member, target: wheelTarget(member) }))
    .filter((m) => m.target !== null)
  const targets = new Set(picked.map((m) => m.target))
  const required = [
    ...WHEEL_LIBRARIES.map((l) => `lib/${l}`),
    'include/tensorflow/c/c_api.h',
    'include/tensorflow/c/eager/c_api.h'
  ]
  const missing = required.filter((t) => !targets.has(t))
  return missing.length === 0 ? { ok: true, members: picked } : { ok: false, missing }
}

/**
 * What `deps/lib` holds, relative to tfjs-node's folder: the two real files, and the link names
 * binding.gyp links with (`-ltensorflow -ltensorflow_framework`). `libtensorflow.so.2` is what
 * Google's own libtensorflow build is called; tools and packagers that look for it find it too
 * (tfjs#3287 is about that name going missing).
 */
export function libLayout() {
  return {
    files: [...WHEEL_LIBRARIES],
    links: [
      { name: 'libtensorflow.so', target: 'libtensorflow_cc.so.2' },
      { name: 'libtensorflow.so.2', target: 'libtensorflow_cc.so.2' },
      { name: 'libtensorflow_framework.so', target: 'libtensorflow_framework.so.2' }
    ]
  }
}

/**
 * The binding cache's key: a built `tfjs_binding.node` is reusable only for the same tfjs-node
 * sources, the same TensorFlow headers and libraries, the same Node ABI and N-API version, and
 * the same platform. Each part is checked, so a missing one can't collapse two keys into one.
 */
export function bindingCacheKey({ tfjsNode, tensorflow, modules, napi, platform, arch }) {
  const parts = { tfjsNode, tensorflow, modules, napi, platform, arch }
  for (const [name, value] of Object.entries(parts)) {
    if (value === undefined || value === null || !/^[A-Za-z0-9._-]+$/.test(String(value)))
      throw new Error(`binding cache key: bad ${name} "${value}"`)
  }
  return `tfjs-node-${tfjsNode}_tf-${tensorflow}_node-abi${modules}_napi-v${napi}_${platform}-${arch}`
}

/** The folder of the extracted libraries and headers in the cache. */
export function libtensorflowCacheName({ tensorflow, platform, arch }) {
  return `libtensorflow-${tensorflow}-${platform}-${arch}`
}

/**
 * The first prefix whose `include/node` holds what node-gyp needs (`node_api.h` for the binding,
 * `common.gypi` for gyp). `exists` is injected so tests can describe any machine.
 */
export function pickNodeDir(candidates, exists) {
  for (const dir of candidates) {
    if (!dir) continue
    if (exists(`${dir}/include/node/node_api.h`) && exists(`${dir}/include/node/common.gypi`))
      return dir
  }
  return null
}

/** Said after every reason: what still works, and the other route. */
export const ALTERNATIVE =
  "The app, the CLI and the tests still work on the wasm fallback (same results, slower); with internet, `npm install @tensorflow/tfjs-node` fetches Google's prebuilt libtensorflow and binding instead."

const APT = (packages) => `\`sudo apt-get install ${packages}\` (Debian/Ubuntu)`

/**
 * The steps `npm run native` takes on the described machine, or the one paragraph saying why it
 * can't. What is needed depends on the cache: a cached binding needs no compiler, cached
 * libraries need no python3, so a re-run after `npm ci` works even where the tools are gone.
 *
 * env: { platform, arch, python3, pip, unzip, cxx, make, nodeDir, nodeGyp, execPath,
 *        cache: { libtensorflow, wheel, binding } } (tools: truthy when present)
 */
export function planSetup(env) {
  const fail = (why) => ({
    ok: false,
    reason: `npm run native can't set up the native backend here: ${why} ${ALTERNATIVE}`
  })
  if (env.platform !== 'linux' || env.arch !== 'x64') {
    return fail(
      `it builds only on Linux x64 (TensorFlow's pip wheel it takes libtensorflow from is a manylinux x86_64 build), and this is ${env.platform}-${env.arch}.` +
        (env.platform === 'darwin' && env.arch === 'arm64'
          ? ' Apple Silicon has no prebuilt tfjs-node 4.22 either (tfjs#8228).'
          : '')
    )
  }
  const needWheel = !env.cache.libtensorflow && !env.cache.wheel
  const needExtract = !env.cache.libtensorflow
  const needBuild = !env.cache.binding
  if (needWheel && !env.python3) {
    return fail(
      `python3 is not on PATH, and it is what downloads TensorFlow's wheel (${WHEEL_SPEC}) through pip's configured index; install it with ${APT('python3 python3-pip')}.`
    )
  }
  if (needWheel && !env.pip) {
    return fail(
      `python3 has no pip (\`python3 -m pip --version\` fails), and pip is what downloads TensorFlow's wheel (${WHEEL_SPEC}); install it with ${APT('python3-pip')}.`
    )
  }
  if (needExtract && !env.python3 && !env.unzip) {
    return fail(
      `neither python3 nor unzip is on PATH to unpack the cached TensorFlow wheel; install one with ${APT('unzip')}.`
    )
  }
  if (needBuild && (!env.cxx || !env.make)) {
    const missing = [!env.cxx && 'a C++ compiler (g++ or $CXX)', !env.make && 'make'].filter(
      Boolean
    )
    return fail(
      `the tfjs-node binding is compiled here and ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing; install them with ${APT('g++ make')}.`
    )
  }
  if (needBuild && !env.python3) {
    return fail(
      `node-gyp, which compiles the tfjs-node binding, runs on python3, and python3 is not on PATH; install it with ${APT('python3')}.`
    )
  }
  if (needBuild && !env.nodeDir) {
    return fail(
      `Node's C headers (include/node/node_api.h and common.gypi) are not next to this Node (${env.execPath}) nor under /usr or /usr/local, and the binding is compiled against them without downloading anything; Node from nodejs.org, nvm or NodeSource ships them (Debian's own nodejs has them in libnode-dev), or set npm_config_nodedir to an unpacked node-v${env.nodeVersion ?? '<version>'}-headers.tar.gz.`
    )
  }
  if (needBuild && !env.nodeGyp) {
    return fail(
      `npm's bundled node-gyp (node_modules/npm/node_modules/node-gyp/bin/node-gyp.js) was not found next to the running npm; run this through \`npm run native\`, or set npm_config_node_gyp to a node-gyp.js.`
    )
  }
  const steps = [
    { id: 'platform', label: 'platform' },
    { id: 'tools', label: 'tools' },
    { id: 'tfjs-node', label: 'tfjs-node JavaScript (npm, no install script)' },
    {
      id: 'libtensorflow',
      label: env.cache.libtensorflow
        ? 'libtensorflow (cached)'
        : env.cache.wheel
          ? `libtensorflow (from the cached ${WHEEL_SPEC} wheel)`
          : `libtensorflow (pip download ${WHEEL_SPEC}, ~261 MiB)`
    },
    { id: 'layout', label: 'deps/include and deps/lib' },
    { id: 'binding', label: env.cache.binding ? 'binding (cached)' : 'binding (node-gyp build)' },
    { id: 'smoke', label: 'smoke test' }
  ]
  return { ok: true, steps }
}
