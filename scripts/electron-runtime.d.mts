/** Types for electron-runtime.mjs (used by tests). */
export declare const ROOT: string
export declare const ELECTRON_DIR: string
export declare function electronExecutable(dir?: string): string | null
export declare const RUNTIME_MISSING_HELP: string
