import { SlipwayError } from '../lib/index.js';
import type { StepRunner } from '../buildpacks/index.js';

/**
 * Dokku's `scripts.dokku.predeploy`: runs after the buildpacks, in the built
 * tree (/app, writable, so what it writes is part of the release), before any
 * instance starts, in the same sandbox as the build. Like a Procfile command
 * it sees `.profile.d` first and runs under `bash -c`; the command travels as
 * one argv element, never spliced into a script.
 */
const PREDEPLOY_SCRIPT = 'for f in /app/.profile.d/*.sh; do if [ -f "$f" ]; then . "$f"; fi; done; exec bash -c "$1"';

export function predeployArgv(command: string): string[] {
  return ['bash', '-c', PREDEPLOY_SCRIPT, 'slipway-predeploy', command];
}

export async function runPredeploy(o: { command: string; runStep: StepRunner; cwd: string; env: Record<string, string>; log: (line: string) => void }): Promise<void> {
  o.log(`-----> Running predeploy (app.json scripts.dokku.predeploy): ${o.command}`);
  const r = await o.runStep(predeployArgv(o.command), { cwd: o.cwd, env: o.env, onLine: (l) => o.log(`       ${l}`) });
  if (r.exitCode === 0) return;
  const how = r.signal ? `was killed by ${r.signal}` : `exited with status ${r.exitCode}`;
  throw new SlipwayError('E_BUILD_FAILED', `the predeploy script \`${o.command}\` ${how}`, { hint: 'see its output above; fix app.json scripts.dokku.predeploy and push again' });
}
