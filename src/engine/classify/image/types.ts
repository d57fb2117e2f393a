/** A decoded page: 8-bit RGBA, straight (not premultiplied) alpha, row-major, top row first. */
export interface RgbaImage {
  width: number
  height: number
  data: Uint8Array
}

/** One 8-bit channel, row-major: gray pictures, ink intensities and 0/1 masks alike. */
export interface GrayImage {
  width: number
  height: number
  data: Uint8Array
}

/** What every format decoder returns: its pages (one for all formats but TIFF and PDF) and its name. */
export interface DecodedFile {
  format: ImageFormat
  pages: RgbaImage[]
}

export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'gif' | 'bmp' | 'webp' | 'pdf'
