/**
 * IPC for `dialog:*`: native open/save dialogs. Only main can show them, and only main turns the
 * user's choice into a path, so the renderer never invents paths of its own.
 */
import type { AppMethods } from '#shared/protocol/app'
import type { CheckedHandler } from './guard'

type FileFilter = { name: string; extensions: string[] }

/** The dialogs main shows; they resolve with the chosen paths (empty / null when cancelled). */
export interface DialogServices {
  openFolder(title?: string): Promise<string | null>
  openFiles(title?: string, filters?: FileFilter[]): Promise<string[]>
  saveFile(defaultName: string, title?: string, filters?: FileFilter[]): Promise<string | null>
}

/** Handlers for the `dialog:*` channels. */
export function dialogHandlers(dialogs: DialogServices): Record<string, CheckedHandler> {
  return {
    'dialog:openFolder': async (params) => {
      const { title } = params as AppMethods['dialog:openFolder']['params']
      return { path: await dialogs.openFolder(title) }
    },
    'dialog:openFiles': async (params) => {
      const { title, filters } = params as AppMethods['dialog:openFiles']['params']
      return { paths: await dialogs.openFiles(title, filters) }
    },
    'dialog:saveFile': async (params) => {
      const { title, defaultName, filters } = params as AppMethods['dialog:saveFile']['params']
      return { path: await dialogs.saveFile(defaultName, title, filters) }
    }
  }
}
