/**
 * Errors that cross a process boundary (engine -> host -> IPC -> renderer) travel as plain data:
 * structured clone and Electron's invoke both drop an Error's name and custom fields, so we send
 * `{ name, code, message }` and rebuild a real `EngineError` on the other side.
 */

/** Every failure the engine can report, so hosts can react to a code instead of parsing prose. */
export type ErrorCode =
  | 'BAD_REQUEST'
  | 'BUSY'
  | 'NOT_IMPLEMENTED'
  | 'NAN_LOSS'
  | 'DATASET_INVALID'
  | 'BACKEND_FAILED'
  | 'NO_MODEL'
  | 'MODEL_INVALID'
  | 'IMAGE_INVALID'
  | 'IMAGE_TOO_LARGE'
  | 'IMAGE_UNSUPPORTED'
  | 'FILE_UNREADABLE'
  | 'EXPORT_FAILED'
  /** An output folder holds files Digit Studio did not write (RELIABILITY R1). */
  | 'OUT_NOT_EMPTY'
  /** The data home was written by a newer Digit Studio, or its version file is unreadable (R6). */
  | 'DATA_HOME_UNSUPPORTED'
  /** A path from the renderer the user never chose (RELIABILITY R3). */
  | 'PATH_NOT_ALLOWED'
  | 'ENGINE_CRASHED'
  | 'INTERNAL'

export interface SerializedError {
  name: string
  code: ErrorCode
  message: string
}

/** An error with a machine-readable code; the message names the file or value at fault. */
export class EngineError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string) {
    super(message)
    this.name = 'EngineError'
    this.code = code
  }
}

/** Turns anything thrown into data that survives structured clone and JSON. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof EngineError) return { name: err.name, code: err.code, message: err.message }
  if (err instanceof Error) return { name: err.name, code: 'INTERNAL', message: err.message }
  return { name: 'Error', code: 'INTERNAL', message: String(err) }
}

/** Rebuilds a real Error (with its code) from data received over a process boundary. */
export function deserializeError(data: SerializedError): EngineError {
  const err = new EngineError(data.code, data.message)
  err.name = data.name
  return err
}
