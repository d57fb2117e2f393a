import * as tf from '@tensorflow/tfjs'
import { simdKernels } from './simd/simd-kernels'
import { WASM, type KernelArgs } from './wasm-ops'

/** A kernel of this project's own: one Adam step for one weight, [w, m, v] out (wasm only). */
export const ADAM_KERNEL = 'DigitStudioAdam'

interface AdamKernelAttrs {
  beta1: number
  beta2: number
  c1: number
  c2: number
  epsilon: number
  learningRate: number
}

/** The wasm kernel: new weight, first and second moments from the SIMD kernel, in one pass. */
export function adamKernel(args: KernelArgs): tf.TensorInfo[] {
  const { inputs, backend } = args
  const { beta1, beta2, c1, c2, epsilon, learningRate } = args.attrs as unknown as AdamKernelAttrs
  const [w, m, v, g] = ['w', 'm', 'v', 'g'].map((k) => inputs[k] as tf.TensorInfo)
  const simd = simdKernels(backend)
  const count = tf.util.sizeFromShape(w.shape)
  if (!simd || count % 4 !== 0) throw new Error(`${ADAM_KERNEL}: unsupported input`)
  const outs = [w, m, v].map(() => backend.makeOutput(w.shape, 'float32'))
  const at = (t: tf.TensorInfo): number => backend.getMemoryOffset(t.dataId)
  // Each scalar rounded to float32 as tfjs's scalar tensors would be.
  const f = Math.fround
  simd.adam(
    at(w),
    at(m),
    at(v),
    at(g),
    at(outs[0]),
    at(outs[1]),
    at(outs[2]),
    count,
    f(beta1),
    f(1 - beta1),
    f(beta2),
    f(1 - beta2),
    f(c1),
    f(c2),
    f(epsilon),
    f(-learningRate)
  )
  return outs
}

/** AdamOptimizer's private state, which this subclass updates exactly as the parent would. */
interface AdamState {
  accBeta1: tf.Variable
  accBeta2: tf.Variable
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[]
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[]
}

/**
 * tfjs's Adam with the per-weight update fused into one wasm SIMD pass. On the wasm fallback the
 * stock optimizer runs a dozen small kernels per weight (6 ms a batch on the seed model, on the
 * critical path of two-thread training, where the other thread waits for it); this makes the same
 * float32 operations in the same order (the same bits, see the test) in about a millisecond. Same
 * class name, state and weights as Adam, so saved optimizer state (checkpoints, resume) is
 * interchangeable. On other backends it is plain Adam.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /**
   * What a model.json records as its optimizer (`training_config.optimizer_config.class_name`).
   * "Adam" is the name tfjs and Keras both read as Adam, so exported models load anywhere, and the
   * registration below makes this process read it back as this class.
   */
  static override get className(): string {
    return 'Adam'
  }

  /** The rate the next updates use (the per-epoch decay sets it); stock Adam has no setter. */
  setLearningRate(learningRate: number): void {
    if (!(learningRate > 0) || !Number.isFinite(learningRate))
      throw new RangeError(`learning rate must be a positive number, got ${learningRate}`)
    this.learningRate = learningRate
  }

  /** The rate the next updates use. */
  getLearningRate(): number {
    return this.learningRate
  }

  override applyGradients(
    variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]
  ): void {
    // Stock Adam unless on wasm with the SIMD kernels and this project's kernel registered
    // (registerFallbackKernels); the result is the same bits either way.
    if (
      tf.getBackend() !== WASM ||
      tf.getKernel(ADAM_KERNEL, WASM) === undefined ||
      simdKernels(tf.backend() as never) === null
    ) {
      super.applyGradients(variableGradients)
      return
    }
    const state = this as unknown as AdamState
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients)
    // 1 - beta^t in float32, as tfjs's sub(1, accBeta) computes it.
    const c1 = Math.fround(1 - state.accBeta1.dataSync()[0])
    const c2 = Math.fround(1 - state.accBeta2.dataSync()[0])
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name]
        if (state.accumulatedFirstMoment[i] == null) {
          state.accumulatedFirstMoment[i] = {
            originalName: `${name}/m`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false))
          }
        }
        if (state.accumulatedSecondMoment[i] == null) {
          state.accumulatedSecondMoment[i] = {
            originalName: `${name}/v`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false))
          }
        }
        const gradient = Array.isArray(variableGradients)
          ? variableGradients[i].tensor
          : variableGradients[name]
        if (gradient == null) return
        const m = state.accumulatedFirstMoment[i].variable
        const v = state.accumulatedSecondMoment[i].variable
        const attrs = {
          beta1: this.beta1,
          beta2: this.beta2,
          c1,
          c2,
          epsilon: this.epsilon,
          learningRate: this.learningRate
        }
        if (value.size % 4 === 0 && value.dtype === 'float32') {
          const [w1, m1, v1] = tf
            .engine()
            .runKernel(
              ADAM_KERNEL,
              { w: value, m, v, g: gradient },
              attrs as unknown as tf.NamedAttrMap
            ) as tf.Tensor[]
          m.assign(m1)
          v.assign(v1)
          value.assign(w1)
          return
        }
        // Sizes not in fours: the parent's formula, op for op.
        const m1 = tf.add(tf.mul(m, this.beta1), tf.mul(gradient, 1 - this.beta1))
        const v1 = tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(gradient), 1 - this.beta2))
        const mHat = tf.div(m1, c1)
        const vHat = tf.div(v1, c2)
        m.assign(m1)
        v.assign(v1)
        value.assign(
          tf.add(
            tf.mul(tf.div(mHat, tf.add(tf.sqrt(vHat), this.epsilon)), -this.learningRate),
            value
          )
        )
      })
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1))
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2))
    })
    this.incrementIterations()
  }
}

// Registered under Adam's own name, so loading a checkpoint (tf.loadLayersModel reads the optimizer's
// class name from model.json) makes a FusedAdamOptimizer rather than tfjs's stock AdamOptimizer.
tf.serialization.registerClass(FusedAdamOptimizer)

/** Adam as `tf.train.adam(learningRate)` makes it (Keras defaults), fused on the wasm fallback. */
export function createAdam(learningRate: number, beta1 = 0.9, beta2 = 0.999): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, beta1, beta2)
}
