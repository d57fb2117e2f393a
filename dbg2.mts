import { readFileSync, writeFileSync } from 'node:fs'
import { PNG } from 'pngjs'
const files = process.argv.slice(2)
const imgs = files.map(f => PNG.sync.read(readFileSync(f)))
const S = 6, W = imgs.length * 28 * S + (imgs.length - 1) * 4
const out = new PNG({ width: W, height: 28 * S })
out.data.fill(128)
imgs.forEach((im, k) => { for (let y = 0; y < 28 * S; y++) for (let x = 0; x < 28 * S; x++) { const si = (Math.floor(y / S) * im.width + Math.floor(x / S)) * 4; const di = (y * W + k * (28 * S + 4) + x) * 4; out.data.set(im.data.subarray(si, si + 4), di) } })
writeFileSync('/tmp/montage.png', PNG.sync.write(out))
