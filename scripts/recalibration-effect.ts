// What the engine's batch-norm recalibration (engine/training/recalibrate-batch-norm.ts) does to a
// saved model's test accuracy, on the training split of the run's seed (native only: loads tfjs-node).
//
//   node --import tsx scripts/recalibration-effect.ts RUN_DIR/model [SEED]
import * as tf from '@tensorflow/tfjs-node'
import { loadDataset } from '#engine/data/datasets'
import { prepareData } from '#engine/data/preprocess-data'
import { evaluateProbabilities, predictSplit } from '#engine/training/predict'
import { recalibrateBatchNorm } from '#engine/training/recalibrate-batch-norm'

const [dir, seed = '42'] = process.argv.slice(2)
const model = await tf.loadLayersModel(`file://${dir}/model.json`)
const data = prepareData(await loadDataset({ kind: 'embedded' }), {
  validationSplit: 0.1,
  seed: Number(seed)
})
const accuracy = async () =>
  evaluateProbabilities((await predictSplit(model, data.test))!, data.test.labels).accuracy
console.log(JSON.stringify({ before: await accuracy() }))
const layers = await recalibrateBatchNorm(model, data.train)
console.log(JSON.stringify({ layers, after: await accuracy() }))
