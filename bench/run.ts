// `npm run bench [NAME...]`: runs the named benchmarks (default: all), prints
// a table for each and writes bench/results/NAME.json.
import { appsCreate } from './apps-create.js';
import { rollback } from './rollback.js';
import { deploy } from './deploy.js';
import { zeroDowntime } from './zero-downtime.js';
import { runOneOff } from './run-oneoff.js';
import { router } from './router.js';
import { coldStart } from './cold-start.js';
import { images } from './images.js';
import { cli } from './cli.js';
import { scale } from './scale.js';
import { nodeRuntime } from './node-runtime.js';
import { dashboard } from './dashboard.js';

const BENCHES: Record<string, () => Promise<unknown>> = {
  'apps-create': () => appsCreate(),
  rollback: () => rollback(),
  deploy: () => deploy(),
  'zero-downtime': () => zeroDowntime(),
  'run-oneoff': () => runOneOff(),
  router: () => router(),
  'cold-start': () => coldStart(),
  images: () => images(),
  cli: () => cli(),
  scale: () => scale(),
  'node-runtime': () => nodeRuntime(),
  dashboard: () => dashboard(),
};

const wanted = process.argv.slice(2);
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const b = BENCHES[name];
  if (!b) {
    process.stderr.write(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}\n`);
    process.exitCode = 2;
    continue;
  }
  await b();
}
