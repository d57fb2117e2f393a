/**
 * IPC for `dialog:*`: native open/save dialogs. Only main can show them, and only main turns the
 * user's choice into a path, so the renderer never invents paths of its own: what the user picks
 * is granted (RELIABILITY R3), and engine channels accept only granted paths.
 */
import type { AppMethods } from '#shared/protocol/app'
import type { CheckedHandler } from './guard'
import type { PathGrants } from './path-grants'

type FileFilter = { name: string; extensions: string[] }

/** The dialogs main shows; they resolve with the chosen paths (empty / null when cancelled). */
export interface DialogServices {
  openFolder(title?: string): Promise<string | null>
  openFiles(title?: string, filters?: FileFilter[]): Promise<string[]>
  saveFile(defaultName: string, title?: string, filters?: FileFilter[]): Promise<string | null>
}

/** Handlers for the `dialog:*` channels; every choice is recorded in `grants`. */
export function dialogHandlers(
  dialogs: DialogServices,
  grants: PathGrants
): Record<string, CheckedHandler> {
  return {
    'dialog:openFolder': async (params) => {
      const { title } = params as AppMethods['dialog:openFolder']['params']
      const path = await dialogs.openFolder(title)
      // A chosen folder covers what is inside it (a dataset's four IDX files, a model's weights).
      if (path) await grants.grant(path, 'folder')
      return { path }
    },
    'dialog:openFiles': async (params) => {
      const { title, filters } = params as AppMethods['dialog:openFiles']['params']
      const paths = await dialogs.openFiles(title, filters)
      for (const path of paths) await grants.grant(path, 'file')
      return { paths }
    },
    'dialog:saveFile': async (params) => {
      const { title, defaultName, filters } = params as AppMethods['dialog:saveFile']['params']
      const path = await dialogs.saveFile(defaultName, title, filters)
      // Exactly the name chosen (a file, or the folder a TF.js export becomes).
      if (path) await grants.grant(path, 'file')
      return { path }
    }
  }
}
