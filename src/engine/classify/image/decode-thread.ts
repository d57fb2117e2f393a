/**
 * Entry of the decode thread: the image decoders run here, not on the engine's own thread, so a
 * file that makes a decoder loop forever (RELIABILITY I6) can be stopped by terminating the thread
 * while the engine keeps answering. One file is open at a time; its pages are sent one by one and
 * transferred, not copied, so this thread keeps no page after sending it (RELIABILITY I7).
 */
import { parentPort } from 'node:worker_threads'
import { EngineError, serializeError } from '#shared/errors'
import { openFile, type OpenedImage } from './decode'
import type { DecodeReply, DecodeRequest } from './decode-protocol'

let current: OpenedImage | null = null
let currentName = ''

function post(reply: DecodeReply, transfer: ArrayBuffer[] = []): void {
  parentPort?.postMessage(reply, transfer)
}

async function handle(request: DecodeRequest): Promise<void> {
  try {
    if (request.type === 'open') {
      const previous = current
      current = null
      await previous?.close?.()
      currentName = request.name
      current = await openFile(request.bytes, request.name)
      post({ type: 'opened', format: current.format, pageCount: current.pageCount })
      return
    }
    if (!current) throw new Error('decode thread: page asked for before a file was opened')
    const page = await current.decodePage(request.index)
    // A page that is a view on a larger buffer is copied so only its own bytes cross.
    const data =
      page.data.byteOffset === 0 && page.data.byteLength === page.data.buffer.byteLength
        ? page.data
        : page.data.slice()
    post({ type: 'page', page: { ...page, data } }, [data.buffer as ArrayBuffer])
  } catch (err) {
    // A decoder tripping over damaged data (a TypeError deep in a library) is a damaged file to
    // the user, not an internal error: it gets IMAGE_INVALID with the file's name like the rest.
    const error =
      err instanceof EngineError
        ? err
        : new EngineError(
            'IMAGE_INVALID',
            `${currentName}: the image could not be decoded (${err instanceof Error ? err.message : String(err)})`
          )
    post({ type: 'error', error: serializeError(error) })
  }
}

parentPort?.on('message', (request: DecodeRequest) => void handle(request))
