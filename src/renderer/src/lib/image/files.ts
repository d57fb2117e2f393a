/**
 * Getting image files out of the ways users hand them over: a drop (DataTransfer), the file
 * picker, a paste (ClipboardEvent). Only bytes go to the engine; nothing is decoded here.
 */

/** Files of a drop or paste; clipboard images often arrive as items rather than files. */
export function filesFromDataTransfer(dt: DataTransfer | null): File[] {
  if (!dt) return []
  const files = Array.from(dt.files ?? [])
  if (files.length > 0) return files
  const out: File[] = []
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind === 'file') {
      const f = item.getAsFile()
      if (f) out.push(f)
    }
  }
  return out
}

/** True when a drag carries files (not text or a link dragged from inside the page). */
export function dragHasFiles(dt: DataTransfer | null): boolean {
  return !!dt && Array.from(dt.types ?? []).includes('Files')
}

/** A name for pasted images, which usually come as "image.png". */
export function pastedName(file: File, index: number): string {
  const ext = file.type.split('/')[1] || 'png'
  return !file.name || file.name === `image.${ext}` ? `pasted-${index + 1}.${ext}` : file.name
}
