#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so `npx digit-studio` works straight after
// `npm install` with no build step. The engine it forks is loaded the same way.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/index.ts')
