#!/usr/bin/env node
/**
 * Sets up real Keras for the export tests (issue 14): a cached virtual environment at
 * ~/.cache/digit-studio/keras-venv with TensorFlow 2.21's CPU wheel (Keras 3) from pip's configured
 * index, or from the wheel `npm run native` keeps in ~/.cache/digit-studio/native/wheels. A repeat
 * takes a second. Where pip or the wheel is missing it says why and exits 0: the tests that need
 * Keras then skip with that reason (tests read KERAS_PYTHON or the venv path, test/helpers/keras.ts).
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'

const cache = join(homedir(), '.cache', 'digit-studio')
const venv = join(cache, 'keras-venv')
const python = join(venv, 'bin', 'python')
const wheels = join(cache, 'native', 'wheels')
const TF = 'tensorflow-cpu==2.21.0'
const reasonFile = join(cache, 'keras-venv.unavailable')

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit' }).status === 0
const works = () =>
  existsSync(python) &&
  spawnSync(python, ['-c', 'import keras, h5py'], { stdio: 'ignore' }).status === 0

function fail(reason) {
  mkdirSync(cache, { recursive: true })
  writeFileSync(reasonFile, reason + '\n')
  console.log(`keras-env: real Keras unavailable (${reason}); the tests that need it will skip`)
  process.exit(0)
}

if (works()) {
  console.log(`keras-env: ${python}`)
  process.exit(0)
}
// TensorFlow 2.21 ships wheels for CPython 3.9-3.13; prefer the interpreter on PATH.
const base = ['python3.11', 'python3.12', 'python3'].find(
  (p) => spawnSync(p, ['--version'], { stdio: 'ignore' }).status === 0
)
if (!base) fail('no python3 to make a virtual environment with')
mkdirSync(cache, { recursive: true })
if (!existsSync(python) && !run(base, ['-m', 'venv', venv])) fail(`${base} -m venv failed`)
const findLinks = existsSync(wheels) ? ['--find-links', wheels] : []
if (!run(python, ['-m', 'pip', 'install', '--quiet', ...findLinks, TF]))
  fail(`pip could not install ${TF}`)
if (!works()) fail('keras does not import after installing ' + TF)
console.log(`keras-env: ${python}`)
