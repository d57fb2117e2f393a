/**
 * Reads the EXIF orientation tag (0x0112) from a TIFF-structured EXIF block ("Exif\0\0" optional).
 * Phones store portrait photos sideways and set this tag instead of rotating the pixels, so a
 * photo of a "7" would reach the model lying on its side without it. Returns 1 (upright) when the
 * tag is absent or the block is damaged: a bad tag must never make an image unreadable.
 */
export function readExifOrientation(exif: Uint8Array | undefined | null): number {
  if (!exif || exif.length < 14) return 1
  // The TIFF header may follow "Exif\0\0", or part of it (jpeg-js strips five of the six bytes).
  const head = String.fromCharCode(...exif.subarray(0, 12))
  const base = [head.indexOf('II*\0'), head.indexOf('MM\0*')].filter((i) => i >= 0).sort()[0] ?? -1
  if (base < 0) return 1
  const view = new DataView(exif.buffer, exif.byteOffset, exif.byteLength)
  const order = String.fromCharCode(exif[base], exif[base + 1])
  if (order !== 'II' && order !== 'MM') return 1
  const little = order === 'II'
  const u16 = (at: number): number => (at + 2 <= exif.length ? view.getUint16(at, little) : -1)
  const u32 = (at: number): number => (at + 4 <= exif.length ? view.getUint32(at, little) : -1)
  const ifd = u32(base + 4)
  if (ifd < 0) return 1
  const count = u16(base + ifd)
  for (let i = 0; i < count && i < 512; i++) {
    const entry = base + ifd + 2 + i * 12
    if (entry + 12 > exif.length) return 1
    if (u16(entry) === 0x0112) {
      const value = u16(entry + 8)
      return value >= 1 && value <= 8 ? value : 1
    }
  }
  return 1
}
