/** IPC for `app:*`: versions, taskbar progress and notifications, answered in main. */
import type { AppMethods } from '#shared/protocol/app'
import type { CheckedHandler } from './guard'

type Versions = AppMethods['app:versions']['result']

/** Collaborators the app handlers need; main passes Electron's, tests pass fakes. */
export interface AppServices {
  versions(): Versions
  /** Taskbar progress 0-1; -1 removes it. */
  setProgress(fraction: number): void
  notify(title: string, body: string): void
}

/** Handlers for the `app:*` channels. */
export function appHandlers(services: AppServices): Record<string, CheckedHandler> {
  return {
    'app:versions': () => services.versions(),
    'app:progress': (params) =>
      services.setProgress((params as AppMethods['app:progress']['params']).fraction),
    'app:notify': (params) => {
      const { title, body } = params as AppMethods['app:notify']['params']
      services.notify(title, body)
    }
  }
}
