/**
 * Where a key press moves the active item of a grid whose items flow left to right, top to
 * bottom, `columns` to a row (the last row may be short): the keys of the ARIA grid pattern.
 * Left/Right follow list order across row ends, because the gallery is one list wrapped to the
 * window width, not a table whose columns mean something.
 */
interface GridShape {
  total: number
  columns: number
  /** Rows that fit in the viewport: the step of PageUp/PageDown. */
  pageRows: number
}

/** The new index for `key` (`ctrl` for Ctrl/Cmd+Home/End), or null if the key isn't a grid key. */
export function gridMove(
  index: number,
  key: string,
  ctrl: boolean,
  shape: GridShape
): number | null {
  const { total, columns } = shape
  if (total <= 0) return null
  const last = total - 1
  const rowStart = index - (index % columns)
  const page = Math.max(1, shape.pageRows) * columns
  switch (key) {
    case 'ArrowRight':
      return Math.min(index + 1, last)
    case 'ArrowLeft':
      return Math.max(index - 1, 0)
    // Down/Up stay put at the bottom/top of a column, as the ARIA pattern asks.
    case 'ArrowDown':
      return index + columns <= last ? index + columns : index
    case 'ArrowUp':
      return index - columns >= 0 ? index - columns : index
    case 'Home':
      return ctrl ? 0 : rowStart
    case 'End':
      return ctrl ? last : Math.min(rowStart + columns - 1, last)
    case 'PageDown':
      return index + page <= last ? index + page : bottomOfColumn(index, columns, last)
    case 'PageUp':
      return index - page >= 0 ? index - page : index % columns
    default:
      return null
  }
}

/** The lowest item in `index`'s column (the short last row may not reach that column). */
function bottomOfColumn(index: number, columns: number, last: number): number {
  const inLastRow = last - (last % columns) + (index % columns)
  return inLastRow <= last ? inLastRow : inLastRow - columns
}
