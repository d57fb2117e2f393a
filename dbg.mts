import * as tf from '@tensorflow/tfjs'
import { writeFileSync } from 'node:fs'
import { PNG } from 'pngjs'
import { classifyImages } from './src/main/engine/classify.ts'
import { testDigits } from './test/fixtures/scans.ts'
import { renderScan } from './test/fixtures/render-scan.ts'
import { encodeJpeg } from './test/fixtures/encode.ts'
import { createRng } from './src/main/engine/random.ts'
await tf.setBackend('cpu')
const modelDir = '/tmp/digit-studio-classify-tests/model-fast-30000-2-v1'
const rng = createRng(7)
const digits = await testDigits(1200, 40)
const save = (pic: any, path: string) => { const png = new PNG({ width: pic.width, height: pic.height }); for (let i = 0; i < pic.width * pic.height; i++) { if (pic.channels === 4) png.data.set(pic.data.subarray(i*4, i*4+4), i*4); else png.data.set([pic.data[i], pic.data[i], pic.data[i], 255], i*4) } writeFileSync(path, PNG.sync.write(png)) }
for (let s = 0; s < 8; s++) {
  const ds = digits.slice(s * 5, s * 5 + 5)
  const scan = renderScan(ds, { seed: 500 + s, scale: 5 + Math.floor(rng() * 3), gap: 8 + Math.floor(rng() * 20), maxRotation: 10 })
  const r = (await classifyImages({ files: [{ name: `strip-${s}`, bytes: encodeJpeg(scan, 85) }], options: { modelDir } })).results[0] as any
  console.log(ds.map(d => d.label).join(''), r.digits, r.pages[0].predictions.map((p: any) => p.box.join(',')).join(' | '))
  if (s < 3) { save(r.pages[0].thumbnail, `/tmp/strip${s}.png`); save(r.pages[0].mask, `/tmp/strip${s}-mask.png`); r.pages[0].predictions.forEach((p: any, i: number) => save(p.input, `/tmp/strip${s}-in${i}.png`)) }
}
