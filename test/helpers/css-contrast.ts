/**
 * WCAG 2 contrast from the app's own design tokens: reads the custom properties of app.css's
 * light (`:root`) and dark (`prefers-color-scheme: dark`) blocks, so the check follows the CSS.
 */

/** `--name: #rrggbb` of one theme; the dark theme inherits what it doesn't set. */
export function themeTokens(css: string): {
  light: Record<string, string>
  dark: Record<string, string>
} {
  const block = (source: string): Record<string, string> =>
    Object.fromEntries(
      [...source.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})\b/g)].map((m) => [m[1], m[2]])
    )
  const rootStart = css.indexOf(':root {')
  const light = block(css.slice(rootStart, css.indexOf('}', rootStart)))
  const darkStart = css.indexOf(':root', css.indexOf('prefers-color-scheme: dark'))
  const dark = { ...light, ...block(css.slice(darkStart, css.indexOf('}', darkStart))) }
  return { light, dark }
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
  })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** The WCAG contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** `a` at `share` (0-1) over `b`, as CSS `color-mix(in srgb, a share, b)` makes it. */
export function mixColors(a: string, share: number, b: string): string {
  const channel = (hex: string, i: number): number => parseInt(hex.slice(i, i + 2), 16)
  return (
    '#' +
    [1, 3, 5]
      .map((i) => Math.round(channel(a, i) * share + channel(b, i) * (1 - share)))
      .map((v) => v.toString(16).padStart(2, '0'))
      .join('')
  )
}
