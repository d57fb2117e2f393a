/**
 * Runs a study's trials one after another in this engine. Each trial is a normal training run
 * (TrainingRun: the same loop, NaN check, early stopping) in validate-only mode: it is judged on the
 * study's validation images and never sees the test set. After every trial (every rung of a
 * halving trial) its record is written to the study folder before the next starts.
 */
import type { EngineEvent } from '#shared/engine-protocol'
import type { SerializedError } from '#shared/errors'
import type {
  RungResult,
  StudyBest,
  StudyEvent,
  StudySettings,
  TrialParams,
  TrialRecord
} from '#shared/protocol/studies'
import { trialTrainConfig } from '#shared/study-trials'
import type { PreparedData } from '../data/preprocess-data'
import type { Dataset } from '../data/datasets'
import { createModel, summarizeModel } from '../training/models'
import { prepareForTraining } from '../training/optimizer'
import { createStepper, logTo } from '../training/parallel/stepper'
import { PauseGate } from '../training/pause-gate'
import { TrainingRun } from '../training/train'
import { appVersion } from '../store/paths'
import { makeFolders } from '../store/atomic-write'
import { resolveArchitecture } from './architectures'
import { promotedCount, rungBudget, rungCount } from './strategy'
import { scratchDir, writeTrial } from './study-folder'
import { join } from 'node:path'

interface StudySetup {
  dir: string
  settings: StudySettings
  /** Trial N trains `configs[N - 1]`. */
  configs: TrialParams[]
  /** Records already in the folder (a resumed study): their finished rungs are not trained again. */
  records: TrialRecord[]
  data: PreparedData
  dataset: Dataset
  backend: string
  emit(event: EngineEvent): void
}

type EndReason = 'finished' | 'minutes' | 'stopped'

/** The best trial: the furthest rung first (halving), then the highest validation accuracy. */
export function bestTrial(records: TrialRecord[]): StudyBest | null {
  let best: { rung: number; record: TrialRecord; acc: number } | null = null
  for (const record of records) {
    const last = record.rungs.at(-1)
    if (!last || last.valAccuracy === null) continue
    if (!best || last.rung > best.rung || (last.rung === best.rung && last.valAccuracy > best.acc))
      best = { rung: last.rung, record, acc: last.valAccuracy }
  }
  return best
    ? { trial: best.record.trial, params: best.record.params, valAccuracy: best.acc }
    : null
}

export class StudyRunner {
  private readonly records = new Map<number, TrialRecord>()
  private current: TrainingRun | null = null
  private stopRequested = false
  private readonly gate = new PauseGate()
  private readonly deadline: number

  constructor(private readonly s: StudySetup) {
    for (const r of s.records) this.records.set(r.trial, r)
    this.deadline =
      s.settings.minutes !== undefined ? Date.now() + s.settings.minutes * 60_000 : Infinity
  }

  private emit(event: StudyEvent): void {
    this.s.emit(event)
  }

  stop(): boolean {
    this.stopRequested = true
    this.current?.stop()
    this.gate.resume()
    return true
  }

  pause(): boolean {
    if (this.stopRequested || !this.gate.pause()) return false
    this.current?.pause()
    this.emit({ type: 'study:paused', dir: this.s.dir })
    return true
  }

  resume(): boolean {
    if (!this.gate.resume()) return false
    this.current?.resume()
    this.emit({ type: 'study:resumed', dir: this.s.dir })
    return true
  }

  /** Runs to the end of the plan, the time budget or a stop; never throws (errors become events). */
  async run(): Promise<void> {
    const reason = await this.rungs()
    const records = [...this.records.values()]
    this.emit({
      type: 'study:done',
      dir: this.s.dir,
      best: bestTrial(records),
      trials: records.filter((r) => r.status !== 'running').length,
      reason,
      imagesProcessed: records.reduce(
        (n, r) => n + r.rungs.reduce((m, g) => m + g.imagesProcessed, 0),
        0
      )
    })
  }

  private async rungs(): Promise<EndReason> {
    const { configs, settings } = this.s
    const rungs = rungCount(settings.strategy, configs.length)
    let candidates = configs.map((_, i) => i + 1)
    for (let rung = 0; rung < rungs; rung++) {
      for (const trial of candidates) {
        const record = this.records.get(trial) ?? {
          trial,
          params: configs[trial - 1],
          status: 'running' as const,
          rungs: []
        }
        if (record.status === 'failed' || record.rungs.some((r) => r.rung === rung)) continue
        await this.gate.wait()
        if (this.stopRequested) return 'stopped'
        if (Date.now() >= this.deadline) return 'minutes'
        const result = await this.train(record, rung, rungs)
        if (result === 'stopped') return 'stopped'
        record.rungs.push(result)
        record.status = result.error ? 'failed' : rung === rungs - 1 ? 'complete' : 'running'
        await this.save(record)
      }
      if (rung < rungs - 1) candidates = await this.promote(candidates, rung)
    }
    return 'finished'
  }

  /** Keeps the best third of a rung's trials for the next; the rest are pruned (and written so). */
  private async promote(candidates: number[], rung: number): Promise<number[]> {
    const accuracy = (trial: number): number =>
      this.records.get(trial)?.rungs.find((r) => r.rung === rung)?.valAccuracy ?? -1
    const ranked = candidates
      .filter((t) => this.records.get(t)?.status === 'running')
      .sort((a, b) => accuracy(b) - accuracy(a) || a - b)
    const kept = ranked.slice(0, promotedCount(candidates.length))
    for (const trial of ranked.slice(kept.length)) {
      const record = this.records.get(trial)!
      record.status = 'pruned'
      await this.save(record)
    }
    return kept
  }

  private async save(record: TrialRecord): Promise<void> {
    this.records.set(record.trial, record)
    await writeTrial(this.s.dir, record)
    this.emit({ type: 'study:trial', dir: this.s.dir, record })
  }

  /** One rung of one trial: a training run on the rung's budget, judged on validation only. */
  private async train(
    record: TrialRecord,
    rung: number,
    rungs: number
  ): Promise<RungResult | 'stopped'> {
    const { settings, data } = this.s
    const params = record.params
    const budget = rungBudget(rung, rungs, params.epochs, data.train.count)
    const { preset, architecture } = await resolveArchitecture(
      params.architecture,
      settings.preset,
      'architecture',
      settings.modelSpec
    )
    const config = {
      ...trialTrainConfig(params, settings, preset, false, architecture),
      epochs: budget.epochs
    }
    const model = createModel(
      preset,
      { seed: settings.seed, widthMultiplier: params.widthMultiplier, dropout: params.dropout },
      architecture
    )
    prepareForTraining(model, params.learningRate)
    const n = budget.trainImages
    // The train split is in seeded shuffled order already: its first n images are a fair sample.
    const train =
      n < data.train.count
        ? {
            pixels: data.train.pixels.subarray(0, n * 784),
            labels: data.train.labels.subarray(0, n),
            count: n
          }
        : data.train
    const scratch = scratchDir(this.s.dir)
    await makeFolders(scratch)
    const { stepper } = await createStepper(model, logTo(this.s.emit))
    let error: SerializedError | undefined
    const run = new TrainingRun({
      runId: `${settings.id}-trial-${record.trial}`,
      config,
      model,
      summary: summarizeModel(model, preset),
      data: { ...data, train },
      dataset: this.s.dataset,
      folder: {
        runId: `trial-${record.trial}`,
        dir: scratch,
        config: join(scratch, 'config.json'),
        metrics: join(scratch, 'metrics.json'),
        result: join(scratch, 'result.json'),
        checkpointDir: join(scratch, 'checkpoint'),
        modelDir: join(scratch, 'model')
      },
      initialEpoch: 0,
      stepper,
      backend: this.s.backend,
      appVersion: appVersion(),
      validateOnly: true,
      emit: (e) => {
        if (e.type === 'training:error') error = e.error
        else if (e.type === 'training:epoch')
          this.emit({
            type: 'study:epoch',
            dir: this.s.dir,
            trial: record.trial,
            rung,
            epochs: e.epochs,
            epoch: {
              epoch: e.epoch,
              loss: e.loss,
              accuracy: e.accuracy,
              valLoss: e.valLoss,
              valAccuracy: e.valAccuracy
            }
          })
      }
    })
    this.current = run
    if (this.gate.paused) run.pause()
    const started = performance.now()
    try {
      const outcome = await run.run()
      if (outcome.kind === 'stopped') return 'stopped'
      const seconds = (performance.now() - started) / 1000
      if (outcome.kind !== 'validated') {
        return {
          rung,
          epochs: budget.epochs,
          trainImages: n,
          imagesProcessed: 0,
          valAccuracy: null,
          valLoss: null,
          seconds,
          curve: [],
          error: error ?? { name: 'EngineError', code: 'INTERNAL', message: 'trial failed' }
        }
      }
      const curve = outcome.metrics.map((m) => ({
        epoch: m.epoch,
        loss: m.loss,
        accuracy: m.accuracy,
        valLoss: m.valLoss,
        valAccuracy: m.valAccuracy
      }))
      // With early stopping the weights kept are the best epoch's, so that epoch's scores count.
      const judged = curve[(outcome.earlyStop?.bestEpoch ?? curve.length) - 1] ?? curve.at(-1)
      return {
        rung,
        epochs: budget.epochs,
        trainImages: n,
        imagesProcessed: outcome.trainSamples,
        valAccuracy: judged?.valAccuracy ?? null,
        valLoss: judged?.valLoss ?? null,
        seconds,
        curve,
        ...(outcome.earlyStop ? { bestEpoch: outcome.earlyStop.bestEpoch } : {})
      }
    } finally {
      this.current = null
      await stepper.dispose().catch(() => undefined)
      model.dispose()
    }
  }
}
