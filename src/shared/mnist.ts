/** Named constants of the MNIST format, so no module spells a bare 28 or 784. */
export const IMAGE_SIZE = 28
export const IMAGE_PIXELS = IMAGE_SIZE * IMAGE_SIZE
export const NUM_CLASSES = 10
export const MNIST_TRAIN_COUNT = 60_000
export const MNIST_TEST_COUNT = 10_000
/** IDX magic numbers: 0x0000 + type byte 0x08 (uint8) + number of dimensions. */
export const IDX_MAGIC_IMAGES = 0x00000803
export const IDX_MAGIC_LABELS = 0x00000801
/** The four file names every MNIST-format dataset folder uses (optionally with `.gz`). */
export const IDX_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte'
} as const
