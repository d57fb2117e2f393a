/**
 * Child process of the kill-mid-export test: exports one model once, then exits. The parent kills
 * it with SIGKILL as soon as the export's temp file appears, i.e. in the middle of the write.
 * argv: format out modelDir
 */
import { exportModel } from '#engine/export/index'
import { selectBackend } from '#engine/backend/selection'
import type { ExportFormat } from '#shared/protocol/models'

const [format, out, modelDir] = process.argv.slice(2)
await selectBackend('cpu')
process.send?.('ready')
await exportModel({ format: format as ExportFormat, out, modelDir })
process.send?.('done')
process.disconnect?.()
