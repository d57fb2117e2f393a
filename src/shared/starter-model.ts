/**
 * Names the engine and its hosts share for the starter model (issue 16). A packaged app keeps it
 * outside the asar archive, as an extra resource (`<resourcesPath>/starter-model`, see
 * electron-builder.yml), and tells the engine where through this start-up variable.
 */

/** The engine's start-up env var naming the starter model folder ('' switches it off). */
export const STARTER_MODEL_ENV = 'DIGIT_STUDIO_STARTER_MODEL'

/** The starter model's folder name: under `resources/` in a checkout, under resourcesPath when packaged. */
export const STARTER_MODEL_FOLDER = 'starter-model'
