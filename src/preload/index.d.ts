import type { RendererApi } from '#shared/ipc-contract'

declare global {
  interface Window {
    /** The one object the preload exposes (see src/preload/api.ts). */
    api: RendererApi
  }
}

export {}
