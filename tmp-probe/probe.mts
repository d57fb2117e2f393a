import * as tf from '@tensorflow/tfjs'
import { createModel } from '../src/main/engine/models'
await tf.setBackend('cpu')
const m = createModel('accurate', { learningRate: 1e-3, seed: 1 })
for (const l of m.layers) console.log(l.name, l.getClassName(), l.weights.map(w => [w.name, w.originalName]), JSON.stringify(l.getConfig()).slice(0, 200))
