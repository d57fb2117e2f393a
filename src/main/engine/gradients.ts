/**
 * Gradient kernels that make tfjs-backend-wasm able to train a CNN, and fast.
 * Stock wasm lacks Conv2DBackpropFilter/Input and MaxPoolGrad; the training-engine work fills
 * this module in. Until then it registers nothing and the wasm backend can only run inference.
 */
export function registerFallbackKernels(): void {
  // Filled in by the fallback-gradients work.
}
