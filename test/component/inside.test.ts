// The Inside view and its state over a fake api: opening a digit, picking a method and a class,
// the draw pad's coalesced live updates, errors; and the pixel functions its canvases draw.
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte'
import { describe, expect, it, vi } from 'vitest'
import { blueOrange, viridis } from '#shared/colormap'
import type {
  DigitExplanation,
  ExplainDigitParams,
  ExplainImageParams,
  InsideSnapshot
} from '#shared/protocol/explain'
import InsideView from '../../src/renderer/src/components/inside/InsideView.svelte'
import { renderView } from './render-view'
import {
  channelPixels,
  divergingPixels,
  heatmapPixels,
  toFloats
} from '../../src/renderer/src/lib/inside/map-pixels'
import { InsideState, type InsideApi } from '../../src/renderer/src/lib/state/inside.svelte'

function explanation(over: Partial<DigitExplanation> = {}): DigitExplanation {
  const saliency = new Float32Array(784)
  saliency[300] = 2
  return {
    label: 7,
    target: 7,
    runnerUp: 9,
    method: 'smoothgrad',
    probabilities: [0, 0, 0, 0, 0, 0, 0, 0.9, 0, 0.1],
    input: new Float32Array(784),
    saliency,
    contrast: new Float32Array(784),
    layers: [
      {
        name: 'conv_a',
        className: 'Conv2D',
        shape: [26, 26, 4],
        mean: 0.1,
        max: 1,
        data: new Float32Array(26 * 26 * 4),
        order: [2, 0, 1, 3]
      },
      {
        name: 'dense_b',
        className: 'Dense',
        shape: [6],
        mean: 0.2,
        max: 3,
        data: Float32Array.from([0, 3, 1, 0, 2, 0]),
        order: [1, 4, 2, 0, 3, 5]
      }
    ],
    filters: { layer: 'conv_a', height: 3, width: 3, count: 4, data: new Float32Array(36) },
    millis: 3,
    ...over
  }
}

function snapshot(epoch: number): InsideSnapshot {
  return {
    epoch,
    testIndex: 0,
    label: 7,
    probabilities: new Array(10).fill(0.1),
    input: new Array(784).fill(0),
    filters: {
      layer: 'conv_a',
      height: 3,
      width: 3,
      count: 2,
      data: new Array(18).fill(epoch / 10)
    },
    layers: [
      {
        name: 'conv_a',
        shape: [2, 2, 3],
        mean: 0,
        max: 1,
        data: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2]
      }
    ]
  }
}

function fakeApi() {
  let onSnapshot: ((e: { type: 'inside:snapshot'; runId: string; epoch: number }) => void) | null =
    null
  const read = vi.fn(async (p: { runId: string; epoch: number }) => snapshot(p.epoch))
  const digit = vi.fn(async (p: ExplainDigitParams) =>
    explanation({ method: p.method ?? 'smoothgrad', target: p.target ?? 7 })
  )
  const image = vi.fn(async (p: ExplainImageParams) => ({
    modelDir: '/m',
    result: {
      name: p.file.name,
      ok: true as const,
      digits: [
        {
          index: 0,
          page: 0,
          box: [0, 0, 1, 1] as [number, number, number, number],
          explanation: explanation()
        }
      ]
    }
  }))
  const api = {
    explain: { digit, image },
    runs: {
      list: async () => ({
        runs: [{ id: '20261203-100000-aaaa' }, { id: '20261203-110000-bbbb' }],
        dir: '/r'
      })
    },
    inside: { list: async () => ({ epochs: [1, 2] }), read },
    on: (_type: string, cb: typeof onSnapshot) => {
      onSnapshot = cb
      return () => (onSnapshot = null)
    }
  }
  return {
    api: api as unknown as InsideApi,
    digit,
    image,
    read,
    emit: (runId: string, epoch: number) => onSnapshot?.({ type: 'inside:snapshot', runId, epoch })
  }
}

describe('map pixels', () => {
  it('heatmap: |value| over the largest in viridis; diverging: sign in blue/orange; channels picked out', () => {
    const heat = heatmapPixels([0, -4, 2])
    expect(Array.from(heat.subarray(0, 3))).toEqual(viridis(0))
    expect(Array.from(heat.subarray(4, 7))).toEqual(viridis(1))
    expect(Array.from(heat.subarray(8, 11))).toEqual(viridis(0.5))
    const div = divergingPixels([-1, 0, 0.5])
    expect(Array.from(div.subarray(0, 3))).toEqual(blueOrange(-1))
    expect(Array.from(div.subarray(4, 7))).toEqual([255, 255, 255])
    // Two pixels, three channels: channel 1 is values 1 and 4, on a scale of 4.
    const ch = channelPixels([0, 1, 2, 3, 4, 5], 3, 1, 4)
    expect(Array.from(ch.subarray(0, 3))).toEqual(viridis(0.25))
    expect(Array.from(ch.subarray(4, 7))).toEqual(viridis(1))
    expect(Array.from(toFloats({ 0: 1, 1: 2 }, 3))).toEqual([1, 2, 0])
  })
})

describe('InsideState', () => {
  it('coalesces live drawing updates: while one runs, only the newest waits', async () => {
    const { api, image } = fakeApi()
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    image.mockImplementationOnce(async (p) => {
      await gate
      return { modelDir: '/m', result: { name: p.file.name, ok: true as const, digits: [] } }
    })
    const state = new InsideState(api)
    const first = state.updateDrawing(Uint8Array.of(1))
    void state.updateDrawing(Uint8Array.of(2))
    void state.updateDrawing(Uint8Array.of(3))
    release()
    await first
    expect(image).toHaveBeenCalledTimes(2)
    expect(Array.from(image.mock.calls[1][0].file.bytes)).toEqual([3])
    expect(image.mock.calls[1][0].samples).toBe(8)
    expect(state.explanation?.label).toBe(7)
  })

  it('a NO_MODEL error says so; a drawing with no ink is not an error', async () => {
    const { api, digit, image } = fakeApi()
    digit.mockRejectedValueOnce(
      Object.assign(new Error('no trained model yet'), { code: 'NO_MODEL' })
    )
    const state = new InsideState(api)
    await state.openDigit(new Uint8Array(784), 'x')
    expect(state.noModel).toBe(true)
    expect(state.error).toBe('no trained model yet')
    image.mockResolvedValueOnce({
      modelDir: '/m',
      result: {
        name: 'drawing.png',
        ok: false,
        error: {
          name: 'EngineError',
          code: 'IMAGE_INVALID',
          message: 'drawing.png: no handwriting found'
        }
      }
    } as never)
    await state.updateDrawing(Uint8Array.of(1))
    expect(state.error).toBeNull()
    expect(state.explanation).toBeNull()
  })
})

describe('InsideView', () => {
  it('shows maps, probabilities, activations strongest first, filters; method and class pickers ask again', async () => {
    const { api, digit } = fakeApi()
    const { app } = renderView(InsideView, api)
    await app.inside.openDigit(new Uint8Array(784), 'Test image #0')
    await screen.findByText('Test image #0')
    const answer = within(screen.getByRole('region', { name: 'Explanation' }))
    expect(screen.getByRole('img', { name: 'SmoothGrad map of 7' })).toBeTruthy()
    expect(screen.getByRole('img', { name: 'Contrast: 7 versus 9' })).toBeTruthy()
    expect(answer.getByText(/\[26 × 26 × 4\]/)).toBeTruthy()
    const channels = answer
      .getAllByRole('img', { name: /^conv_a channel/ })
      .map((c) => c.getAttribute('aria-label'))
    expect(channels).toEqual([
      'conv_a channel 2',
      'conv_a channel 0',
      'conv_a channel 1',
      'conv_a channel 3'
    ])
    expect(answer.getAllByRole('img', { name: /^Filter / })).toHaveLength(4)
    // Dense units: strongest first.
    expect(answer.getAllByText(/^#\d$/).map((u) => u.textContent)).toEqual([
      '#1',
      '#4',
      '#2',
      '#0',
      '#3',
      '#5'
    ])

    await fireEvent.click(screen.getByRole('radio', { name: 'Integrated Gradients' }))
    await waitFor(() =>
      expect(digit).toHaveBeenLastCalledWith(expect.objectContaining({ method: 'ig' }))
    )
    await fireEvent.click(screen.getByRole('button', { name: /Explain 3/ }))
    await waitFor(() =>
      expect(digit).toHaveBeenLastCalledWith(expect.objectContaining({ method: 'ig', target: 3 }))
    )
    await screen.findByRole('img', { name: 'Integrated Gradients map of 3' })
  })

  it('says which sanity checks each method passed: occlusion is flagged where it is picked and under its map', async () => {
    const { api } = fakeApi()
    const { app } = renderView(InsideView, api)
    await app.inside.openDigit(new Uint8Array(784), 'Test image #0')
    const answer = within(await screen.findByRole('region', { name: 'Explanation' }))
    expect(answer.getByText('Sanity check partly passed.')).toBeTruthy()
    expect(answer.queryByText('Sanity check failed.')).toBeNull()
    const occlusion = screen.getByRole('radio', {
      name: 'Occlusion (no gradients): fails the sanity check'
    })
    expect(screen.getByRole('radio', { name: 'SmoothGrad' })).toBeTruthy()
    await fireEvent.click(occlusion)
    await screen.findByRole('img', { name: 'Occlusion map of 7' })
    expect(answer.getByText('Sanity check failed.')).toBeTruthy()
    expect(answer.getByText(/a network with random weights gives a similar map/)).toBeTruthy()
  })
})

describe('features forming while training', () => {
  it("shows the newest run's last epoch, scrubs to another, follows a new run as it trains", async () => {
    const { api, read, emit } = fakeApi()
    renderView(InsideView, api)
    await screen.findByText('Epoch 2 of 2')
    expect(read).toHaveBeenLastCalledWith({ runId: '20261203-110000-bbbb', epoch: 2 })
    // Channels ranked by their mean: channel 2 (all 2s), then 1, then 0.
    expect(
      screen
        .getAllByRole('img', { name: /^conv_a channel/ })
        .map((c) => c.getAttribute('aria-label'))
        .slice(-3)
    ).toEqual(['conv_a channel 2', 'conv_a channel 1', 'conv_a channel 0'])
    await fireEvent.input(screen.getByRole('slider', { name: 'Epoch' }), { target: { value: '0' } })
    await screen.findByText('Epoch 1 of 2')
    emit('20261203-120000-cccc', 1)
    await screen.findByText('Epoch 1 of 1')
    expect(read).toHaveBeenLastCalledWith({ runId: '20261203-120000-cccc', epoch: 1 })
  })
})
