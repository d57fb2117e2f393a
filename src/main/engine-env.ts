/**
 * The engine process's start-up environment in the app. The engine never imports electron, so
 * what only Electron knows reaches it here: the data home (`userData`) and, in a packaged app, the
 * starter model's folder, which sits beside the asar archive in `resourcesPath` rather than where
 * the engine would look in a checkout (three levels above its code).
 */
import { join } from 'node:path'
import { STARTER_MODEL_ENV, STARTER_MODEL_FOLDER } from '#shared/starter-model'

interface AppPaths {
  userData: string
  isPackaged: boolean
  resourcesPath: string
}

/** Env vars for the engine process (over main's own environment). */
export function engineEnv({
  userData,
  isPackaged,
  resourcesPath
}: AppPaths): Record<string, string> {
  return {
    DIGIT_STUDIO_HOME: userData,
    ...(isPackaged ? { [STARTER_MODEL_ENV]: join(resourcesPath, STARTER_MODEL_FOLDER) } : {})
  }
}
