// electron-builder `afterPack` hook: repairs tfjs-node's native layout and flips the Electron fuses
// (build/after-pack.ts, RELIABILITY S8) before the app is signed and wrapped into installers.
import { register } from 'tsx/esm/api'

register()
const { afterPack } = await import('./after-pack.ts')

/** @param {import('electron-builder').AfterPackContext} context */
export default async function (context) {
  await afterPack(context)
}
