import * as v from 'valibot'

// What the gallery pages through (issue 16): the MNIST test set, My digits, or a dataset folder
// the user added. Every source is served in the same page shape, so the same filters apply.

export const GallerySourceSchema = v.variant('kind', [
  /** The MNIST test set, predicted once by the run or import that made the current model. */
  v.object({ kind: v.literal('mnist') }),
  /** The user's kept digits (`<dataHome>/my-digits`), predicted with the current model. */
  v.object({ kind: v.literal('my-digits') }),
  /** A dataset folder: every usable image of a labelled folder, or an IDX folder's test split. */
  v.object({ kind: v.literal('folder'), path: v.pipe(v.string(), v.minLength(1)) })
])
export type GallerySource = v.InferOutput<typeof GallerySourceSchema>
