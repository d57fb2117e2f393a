/** Types for plan.mjs (used by test/unit/native-setup.test.ts). */
export declare const TENSORFLOW_VERSION: string
export declare const WHEEL_SPEC: string
export declare const WHEEL_PYTHON_VERSION: string
export declare const WHEEL_PLATFORM: string
export declare const NAPI_BUILD_VERSION: number
export declare const WHEEL_LIBRARIES: string[]
export declare const ALTERNATIVE: string

export declare function wheelTarget(member: string): string | null
export declare function selectWheelMembers(
  members: string[]
): { ok: true; members: { member: string; target: string }[] } | { ok: false; missing: string[] }

export declare function libLayout(): {
  files: string[]
  links: { name: string; target: string }[]
}

export interface BindingVersions {
  tfjsNode: string
  tensorflow: string
  modules: string
  napi: number
  platform: string
  arch: string
}
export declare function bindingCacheKey(versions: BindingVersions): string
export declare function libtensorflowCacheName(v: {
  tensorflow: string
  platform: string
  arch: string
}): string
export declare function pickNodeDir(
  candidates: (string | undefined | null)[],
  exists: (path: string) => boolean
): string | null

export interface SetupEnvironment {
  platform: string
  arch: string
  execPath?: string
  nodeVersion?: string
  python3: boolean
  pip: boolean
  unzip: boolean
  cxx: string | null
  make: boolean
  nodeDir: string | null
  nodeGyp: string | null
  cache: { libtensorflow: boolean; wheel: boolean; binding: boolean }
}
export type SetupPlan =
  { ok: true; steps: { id: string; label: string }[] } | { ok: false; reason: string }
export declare function planSetup(env: SetupEnvironment): SetupPlan
