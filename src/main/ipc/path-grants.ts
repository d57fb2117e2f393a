/**
 * Which paths the renderer may hand to the engine (RELIABILITY R3). A compromised page must not
 * reach the file system, so main accepts only paths the user granted (chosen in a native dialog,
 * or a file or folder they dropped), paths inside the data home, and grants recorded there from
 * earlier sessions (a run's dataset folder must still open after a restart). Paths must be
 * absolute and normalised, and symlinks are resolved: a link inside a granted folder that points
 * elsewhere is judged by where it points.
 */
import { existsSync } from 'node:fs'
import { readFile, realpath, rename, writeFile } from 'node:fs/promises'
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path'

/** A folder grant covers everything inside it; a file grant covers exactly that path. */
type GrantKind = 'file' | 'folder'

interface Grant {
  path: string
  real: string
  kind: GrantKind
}

/** The file in the data home that keeps grants across restarts. */
const GRANTS_FILE = 'granted-paths.json'
/** Older grants are forgotten past this many, so the file stays small. */
const MAX_GRANTS = 500

function inside(base: string, p: string): boolean {
  const rel = relative(base, p)
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))
}

/** The real path of `p`: symlinks resolved in the part that exists, the rest appended as is. */
async function realPathOf(p: string): Promise<string> {
  let existing = p
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing)
  const real = await realpath(existing).catch(() => existing)
  return join(real, relative(existing, p))
}

/** Why `p` is not a well-formed path for the engine (absolute, normalised), or null. */
function pathShapeProblem(p: string): string | null {
  if (p.includes('\0')) return 'contains a NUL character'
  if (!isAbsolute(p)) return 'is not an absolute path'
  if (p.split(/[\\/]/).includes('..')) return 'climbs out of its folder with ".."'
  const trimmed = p.length > 1 && (p.endsWith('/') || p.endsWith(sep)) ? p.slice(0, -1) : p
  if (resolve(trimmed) !== trimmed) return `is not normalised (it means ${resolve(trimmed)})`
  return null
}

/** The grants of one data home; `load` reads the ones earlier sessions recorded. */
export class PathGrants {
  private grants: Grant[] = []
  private realHome: string | null = null
  private saving: Promise<void> = Promise.resolve()

  constructor(
    readonly dataHome: string,
    private readonly persist = true
  ) {}

  /** The grants recorded in `<dataHome>/granted-paths.json` (none when it is missing or unreadable). */
  static async load(dataHome: string, persist = true): Promise<PathGrants> {
    const grants = new PathGrants(dataHome, persist)
    try {
      const json = JSON.parse(await readFile(join(dataHome, GRANTS_FILE), 'utf8')) as {
        grants?: Grant[]
      }
      for (const g of json.grants ?? []) {
        if (typeof g?.path === 'string' && !pathShapeProblem(g.path) && typeof g.real === 'string')
          grants.grants.push({
            path: g.path,
            real: g.real,
            kind: g.kind === 'file' ? 'file' : 'folder'
          })
      }
    } catch {
      // No file yet, or a damaged one: start with no remembered grants (the user can choose again).
    }
    return grants
  }

  /** Records that the user chose `p` (ignored unless absolute and normalised); persisted. */
  async grant(p: string, kind: GrantKind): Promise<void> {
    if (pathShapeProblem(p)) return
    const real = await realPathOf(p)
    this.grants = this.grants.filter((g) => g.path !== p)
    this.grants.push({ path: p, real, kind })
    if (this.grants.length > MAX_GRANTS) this.grants.splice(0, this.grants.length - MAX_GRANTS)
    if (this.persist) await (this.saving = this.saving.then(() => this.save()))
  }

  private async save(): Promise<void> {
    // Written beside, then renamed: a crash leaves the old list or the new one, never half.
    const file = join(this.dataHome, GRANTS_FILE)
    const tmp = join(this.dataHome, `.${basename(file)}.tmp-${process.pid}`)
    try {
      await writeFile(tmp, JSON.stringify({ grants: this.grants }, null, 2) + '\n')
      await rename(tmp, file)
    } catch {
      // An unwritable data home costs only the memory of grants after a restart.
    }
  }

  /** Why the renderer may not use `p`, or null when it may. */
  async problem(p: string): Promise<string | null> {
    const shape = pathShapeProblem(p)
    if (shape) return `${p} ${shape}`
    const real = await realPathOf(p)
    this.realHome ??= await realPathOf(this.dataHome)
    if (inside(this.dataHome, p) && inside(this.realHome, real)) return null
    const granted = this.grants.some((g) =>
      g.kind === 'folder'
        ? inside(g.path, p) && inside(g.real, real)
        : g.path === p && g.real === real
    )
    return granted
      ? null
      : `${p} was not chosen by the user (pick it in a dialog or drop it on the window)`
  }
}
