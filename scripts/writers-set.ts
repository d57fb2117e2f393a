/**
 * "Other writers": a labelled folder (`<label>/<file>.png`) of digits that are not MNIST, rendered
 * from Debian's handwriting-style fonts, each font standing for one writer. Every digit gets its
 * own slant, rotation, stroke width, size, position, paper tone and scan noise (seeded), so two
 * renders of the same digit in the same font differ the way two digits by one hand do.
 *
 *   node --import tsx scripts/writers-set.ts --out DIR [--count 1000] [--seed 1] [--writers a,b]
 *
 * The fonts come from Debian packages (root: `apt-get install` them):
 *   fonts-dkg-handwriting fonts-femkeklaver fonts-comic-neue fonts-breip fonts-sjfonts
 *   fonts-kristi fonts-rufscript
 * A writer whose font is missing is an error naming its package. Measurement only: no test needs it.
 */
import { GlobalFonts, createCanvas } from '@napi-rs/canvas'
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { createRng, deriveSeed } from '#engine/random'

/** One writer: a font file (and the Debian package that installs it). */
interface Writer {
  id: string
  pkg: string
  file: string
}

export const WRITERS: Writer[] = [
  {
    id: 'dkg',
    pkg: 'fonts-dkg-handwriting',
    file: '/usr/share/fonts/truetype/fifthhorseman/dkg.ttf'
  },
  {
    id: 'femke',
    pkg: 'fonts-femkeklaver',
    file: '/usr/share/fonts/truetype/femkeklaver/femkeklaver.ttf'
  },
  {
    id: 'comic',
    pkg: 'fonts-comic-neue',
    file: '/usr/share/fonts/opentype/comic-neue/ComicNeue-Regular.otf'
  },
  { id: 'breip', pkg: 'fonts-breip', file: '/usr/share/fonts/truetype/breip/Breip.ttf' },
  { id: 'steve', pkg: 'fonts-sjfonts', file: '/usr/share/fonts/truetype/sjfonts/SteveHand.ttf' },
  { id: 'delphine', pkg: 'fonts-sjfonts', file: '/usr/share/fonts/truetype/sjfonts/Delphine.ttf' },
  { id: 'kristi', pkg: 'fonts-kristi', file: '/usr/share/fonts/truetype/kristi/Kristi.ttf' },
  {
    id: 'rufscript',
    pkg: 'fonts-rufscript',
    file: '/usr/share/fonts/truetype/rufscript/Rufscript010.ttf'
  }
]

/** The page a digit is drawn on: about a 150 dpi scan of a 1.5 cm digit. */
const PAGE = 112

function registerWriters(writers: Writer[]): void {
  const missing = writers.filter((w) => !existsSync(w.file))
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((w) => w.pkg))].join(' ')
    throw new Error(
      `fonts missing for ${missing.map((w) => w.id).join(', ')}: apt-get install ${pkgs}`
    )
  }
  for (const w of writers) GlobalFonts.registerFromPath(w.file, `writer-${w.id}`)
}

/** Gaussian-ish noise from the sum of three uniforms (enough for paper grain). */
function grain(rng: () => number): number {
  return (rng() + rng() + rng() - 1.5) / 1.5
}

/** One digit by `writer` as a scanned PNG: dark ink on light paper, varied by `seed`. */
export function renderWriterDigit(writer: Writer, digit: number, seed: number): Uint8Array {
  const rng = createRng(seed)
  const canvas = createCanvas(PAGE, PAGE)
  const ctx = canvas.getContext('2d')
  const paper = 215 + Math.floor(rng() * 35)
  ctx.fillStyle = `rgb(${paper},${paper},${paper - Math.floor(rng() * 10)})`
  ctx.fillRect(0, 0, PAGE, PAGE)
  const size = 50 + rng() * 30
  const slant = (rng() - 0.5) * 0.5
  const angle = ((rng() - 0.5) * 16 * Math.PI) / 180
  ctx.translate(PAGE / 2 + (rng() - 0.5) * 20, PAGE / 2 + (rng() - 0.5) * 16)
  ctx.rotate(angle)
  ctx.transform(1, 0, -slant, 1, 0, 0)
  ctx.font = `${size.toFixed(1)}px writer-${writer.id}`
  ctx.textAlign = 'center'
  ctx.textBaseline = 'middle'
  const ink = Math.floor(rng() * 70)
  const inkColour = `rgb(${ink},${ink},${ink + Math.floor(rng() * 60)})`
  ctx.fillStyle = inkColour
  ctx.fillText(String(digit), 0, 0)
  // A pen wider than the font's stroke on about half the digits.
  const pen = rng() < 0.5 ? 0 : 1 + rng() * 3
  if (pen > 0) {
    ctx.strokeStyle = inkColour
    ctx.lineWidth = pen
    ctx.lineJoin = 'round'
    ctx.strokeText(String(digit), 0, 0)
  }
  const image = ctx.getImageData(0, 0, PAGE, PAGE)
  const noise = 4 + rng() * 14
  for (let i = 0; i < image.data.length; i += 4) {
    const n = grain(rng) * noise
    for (let c = 0; c < 3; c++)
      image.data[i + c] = Math.max(0, Math.min(255, image.data[i + c] + n))
  }
  ctx.resetTransform()
  ctx.putImageData(image, 0, 0)
  return new Uint8Array(canvas.toBuffer('image/png'))
}

/**
 * Writes `count` digits into `<out>/<label>/<writer>-<n>.png`, labels and writers taken in turn
 * (so every writer writes every digit), each digit varied by (seed, n). Returns the paths.
 */
export function writeWritersSet(
  out: string,
  opts: { count: number; seed: number; writers: Writer[] }
): string[] {
  registerWriters(opts.writers)
  const paths: string[] = []
  for (let n = 0; n < opts.count; n++) {
    const label = n % 10
    const writer = opts.writers[Math.floor(n / 10) % opts.writers.length]
    const dir = join(out, String(label))
    mkdirSync(dir, { recursive: true })
    const path = join(dir, `${writer.id}-${opts.seed}-${n}.png`)
    writeFileSync(path, renderWriterDigit(writer, label, deriveSeed(opts.seed, n)))
    paths.push(path)
  }
  return paths
}

/** The writers named in a comma list (all when empty). */
export function writersNamed(list: string | undefined): Writer[] {
  if (!list) return WRITERS
  return list.split(',').map((id) => {
    const w = WRITERS.find((x) => x.id === id)
    if (!w) throw new Error(`unknown writer "${id}": one of ${WRITERS.map((x) => x.id).join(', ')}`)
    return w
  })
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      count: { type: 'string', default: '1000' },
      seed: { type: 'string', default: '1' },
      writers: { type: 'string' }
    }
  })
  if (!values.out) throw new Error('--out DIR is required')
  const paths = writeWritersSet(values.out, {
    count: Number(values.count),
    seed: Number(values.seed),
    writers: writersNamed(values.writers)
  })
  console.log(`${paths.length} digits written to ${values.out}`)
}
