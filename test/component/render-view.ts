/**
 * Renders a view the way App.svelte does: inside the app state's context, built by
 * `createAppState` on the test's fake api (only the methods the test's view calls need exist).
 */
import { render } from '@testing-library/svelte'
import type { Component } from 'svelte'
import type { RendererApi } from '#shared/ipc-contract'
import {
  appStateContext,
  createAppState,
  type AppState
} from '../../src/renderer/src/lib/state/app-state'

/** The app state on `api`, and the rendered `view` inside its context. */
export function renderView(
  view: Component,
  api: unknown,
  app: AppState = createAppState(api as RendererApi)
): { app: AppState; container: HTMLElement; unmount(): void } {
  const { container, unmount } = render(view, { context: appStateContext(app) })
  return { app, container, unmount }
}
