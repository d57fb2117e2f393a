// The Train view's early-stopping field (issue 14): off by default, limits from the schema.
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte'
import { describe, expect, it } from 'vitest'
import ModelPanel from '../../src/renderer/src/components/training/ModelPanel.svelte'
import { TrainConfigState } from '../../src/renderer/src/lib/state/train-config.svelte'
import { createFakeApi } from './training-fake-api'

describe('early stopping in the hyperparameter form', () => {
  it('is off by default, builds earlyStopping when given and refuses a patience over 50', async () => {
    const config = new TrainConfigState(createFakeApi().api)
    const { container } = render(ModelPanel, { config })
    const patience = container.querySelector<HTMLInputElement>(
      'input[name="earlyStoppingPatience"]'
    )!
    expect(patience.value).toBe('')
    expect(patience.max).toBe('50')
    expect(config.build({ kind: 'embedded' }).earlyStopping).toBeUndefined()
    await fireEvent.input(patience, { target: { value: '3' } })
    await waitFor(() =>
      expect(config.build({ kind: 'embedded' }).earlyStopping).toEqual({ patience: 3 })
    )
    await fireEvent.input(patience, { target: { value: '60' } })
    expect(await screen.findByText('Must be at most 50.')).toBeTruthy()
    expect(config.valid).toBe(false)
  })
})
