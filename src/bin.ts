#!/usr/bin/env node
// The `slipway` executable. The daemon is loaded only for `slipway server`,
// so everyday CLI commands do not pay for Fastify and SQLite at start-up.
import { main } from './cli/main.js';

await main(process.argv, {
  runServer: async (flags) => (await import('./daemon/index.js')).runServer(flags),
});
