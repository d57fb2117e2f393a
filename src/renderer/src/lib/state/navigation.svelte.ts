/**
 * Which view the main window shows, part of the app state (app-state.ts) so a panel can send the
 * user elsewhere (a confusion-matrix cell opens the gallery) without reaching into App.svelte.
 */
/** The same ids App.svelte uses for its nav tabs. */
export type ViewId =
  | 'train'
  | 'gallery'
  | 'classify'
  | 'digits'
  | 'inside'
  | 'models'
  | 'status'
  | 'studies'

export class NavigationState {
  view = $state<ViewId>('train')

  go(view: ViewId): void {
    this.view = view
  }
}
