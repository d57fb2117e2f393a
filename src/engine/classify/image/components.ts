import type { GrayImage } from './types'

/** One connected blob of ink: its label in the label image, pixel count and bounding box. */
export interface Component {
  label: number
  area: number
  x0: number
  y0: number
  /** Inclusive. */
  x1: number
  y1: number
}

interface Labelled {
  /** Per pixel: 0 = background, else the component's label. */
  labels: Int32Array
  components: Component[]
}

/**
 * Connected components of a 0/1 mask, 8-connected (a diagonal pen stroke is one stroke), with the
 * classic two-pass union-find: O(pixels), no recursion, so a page-sized blob can't overflow a stack.
 */
export function labelComponents(mask: GrayImage): Labelled {
  const { width: w, height: h, data } = mask
  const labels = new Int32Array(w * h)
  const parent: number[] = [0]
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]]
      a = parent[a]
    }
    return a
  }
  const union = (a: number, b: number): number => {
    const ra = find(a)
    const rb = find(b)
    if (ra === rb) return ra
    const [lo, hi] = ra < rb ? [ra, rb] : [rb, ra]
    parent[hi] = lo
    return lo
  }
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x
      if (!data[i]) continue
      let label = 0
      // Already-visited neighbours: W, NW, N, NE.
      const neighbours = [
        x > 0 ? labels[i - 1] : 0,
        x > 0 && y > 0 ? labels[i - w - 1] : 0,
        y > 0 ? labels[i - w] : 0,
        x < w - 1 && y > 0 ? labels[i - w + 1] : 0
      ]
      for (const n of neighbours) if (n) label = label ? union(label, n) : find(n)
      if (!label) {
        label = parent.length
        parent.push(label)
      }
      labels[i] = label
    }
  }
  // Second pass: final labels renumbered 1..n, and the stats of each component.
  const renumber = new Int32Array(parent.length)
  const components: Component[] = []
  for (let i = 0; i < labels.length; i++) {
    if (!labels[i]) continue
    const root = find(labels[i])
    let id = renumber[root]
    if (!id) {
      id = renumber[root] = components.length + 1
      components.push({ label: id, area: 0, x0: w, y0: h, x1: -1, y1: -1 })
    }
    labels[i] = id
    const c = components[id - 1]
    const x = i % w
    const y = (i - x) / w
    c.area++
    if (x < c.x0) c.x0 = x
    if (x > c.x1) c.x1 = x
    if (y < c.y0) c.y0 = y
    if (y > c.y1) c.y1 = y
  }
  return { labels, components }
}
