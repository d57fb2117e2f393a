// Minimal types for jsfive (a pure-JS HDF5 reader that ships none): only what the tests use.
declare module 'jsfive' {
  type Attrs = Record<string, unknown>
  export class Group {
    attrs: Attrs
    keys: string[]
    get(path: string): Group | Dataset
  }
  export class Dataset {
    attrs: Attrs
    shape: number[]
    dtype: string
    value: unknown
  }
  export class File extends Group {
    constructor(buffer: ArrayBuffer, filename?: string)
  }
}
