/** What `digit-studio train` prints: the human header, progress bars and lines, or the JSON summary. */
import cliProgress from 'cli-progress'
import type { EngineEvent } from '#shared/engine-protocol'
import type { SkippedImage } from '#shared/protocol/training'
import type { DoneEvent } from '#shared/protocol/training-events'
import { formatDone, formatDuration, formatEpoch, formatSummary } from '../format-training'

/** The mix of data/added-images.ts, in words for the header. */
const ADDED_MIX = 'a seeded 20 % held out; every batch carries 1/8 added images, 7/8 MNIST'

/** One line per image of a labelled folder that was not used, with its reason. */
function skippedLines(skipped: SkippedImage[] | undefined): string[] {
  if (!skipped?.length) return []
  return [
    `Skipped ${skipped.length} image${skipped.length === 1 ? '' : 's'}:`,
    ...skipped.map((s) => `  ${s.file}: ${s.reason}`)
  ]
}

/** Human mode: header, a progress bar per epoch, a line per epoch, the result. */
export function humanPrinter(backendLine: string): (e: EngineEvent) => void {
  const bar = new cliProgress.SingleBar(
    {
      format:
        'Epoch {epoch} {bar} {percentage}% | loss {loss} acc {acc} | {sps} samples/s | ETA {etaText}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50
    },
    cliProgress.Presets.shades_classic
  )
  let barEpoch = 0
  let epochs = 0
  let batchSize = 0
  return (e) => {
    switch (e.type) {
      case 'training:started': {
        epochs = e.config.epochs
        batchSize = e.config.batchSize
        const c = e.config
        const ds = c.dataset.kind === 'embedded' ? 'MNIST (embedded)' : c.dataset.path
        process.stdout.write(
          [
            `Training ${c.architecture ? `architecture ${c.architecture.name}` : `preset ${c.preset}`}: ${c.epochs} epochs, batch ${c.batchSize}, learning rate ${c.learningRate}, seed ${c.seed}, augmentation ${c.augment ? 'on' : 'off'}`,
            ...(e.initialEpoch
              ? [`Resuming after epoch ${e.initialEpoch} from ${c.resumeFrom}`]
              : []),
            ...(c.fromModel
              ? [`Fine-tuning from ${c.fromModel} (a new run; the model stays)`]
              : []),
            ...(c.addImages ? [`Added images: ${c.addImages} (${ADDED_MIX})`] : []),
            backendLine,
            ...(e.threads ? [`Threads:  ${e.threads}`] : []),
            `Dataset:  ${ds}: ${e.trainCount.toLocaleString('en-US')} train / ${e.validationCount.toLocaleString('en-US')} validation / ${e.testCount.toLocaleString('en-US')} test`,
            ...skippedLines(e.skippedImages),
            'Model:',
            formatSummary(e.summary),
            ''
          ].join('\n')
        )
        break
      }
      case 'training:batch': {
        if (barEpoch !== e.epoch) {
          barEpoch = e.epoch
          bar.start(e.batchesPerEpoch, 0, {
            epoch: `${e.epoch}/${epochs}`,
            loss: '-',
            acc: '-',
            sps: '-',
            etaText: '?'
          })
        }
        const left = ((e.batchesPerEpoch - e.batch) * batchSize) / e.samplesPerSecond
        bar.update(e.batch, {
          loss: Number.isFinite(e.loss) ? e.loss.toFixed(4) : String(e.loss),
          acc: `${(e.accuracy * 100).toFixed(1)}%`,
          sps: Math.round(e.samplesPerSecond).toLocaleString('en-US'),
          etaText: formatDuration(left)
        })
        break
      }
      case 'training:epoch':
        bar.stop()
        barEpoch = 0
        process.stdout.write(
          `${formatEpoch(e)}${e.epoch < e.epochs ? `, ETA ${formatDuration(e.etaSeconds)}` : ''}\n`
        )
        break
      case 'training:paused':
      case 'training:resumed':
        break
      case 'training:stopped':
        bar.stop()
        process.stdout.write(
          `Stopped at epoch ${e.epoch}, batch ${e.batch}. Completed epochs are checkpointed in the run folder.\n`
        )
        break
      case 'training:error':
        bar.stop()
        break
      case 'training:done':
        bar.stop()
        process.stdout.write(formatDone(e) + '\n')
        break
    }
  }
}

/** The last line of `--json` mode: the result, and with added images the before/after comparison. */
export function doneSummary(d: DoneEvent, backendReason: string): Record<string, unknown> {
  return {
    type: 'done',
    testAccuracy: d.testAccuracy,
    testLoss: d.testLoss,
    testCount: d.testCount,
    samplesPerSecond: d.samplesPerSecond,
    totalSeconds: d.totalSeconds,
    backend: d.backend,
    backendReason,
    modelDir: d.modelDir,
    runDir: d.runDir,
    peakRssBytes: d.peakRssBytes,
    ...(d.addedImages !== undefined
      ? {
          addedImages: d.addedImages,
          skippedImages: d.skippedImages,
          heldOutCount: d.heldOutCount,
          heldOutAccuracyBefore: d.heldOutAccuracyBefore,
          heldOutAccuracyAfter: d.heldOutAccuracyAfter,
          testAccuracyBefore: d.testAccuracyBefore,
          fromModel: d.fromModel
        }
      : {}),
    ...(d.bestEpoch ? { bestEpoch: d.bestEpoch, stoppedEarly: d.stoppedEarly } : {})
  }
}
