import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostStepRunner } from '../buildpacks/index.js';
import { predeployArgv, runPredeploy } from './predeploy.js';

test('predeployArgv: the command is one argv element, never spliced into the script', () => {
  const argv = predeployArgv('echo "$(touch x)"; rm -rf /');
  assert.equal(argv.length, 5);
  assert.deepEqual([argv[0], argv[1], argv[3], argv[4]], ['bash', '-c', 'slipway-predeploy', 'echo "$(touch x)"; rm -rf /']);
  assert.ok(!argv[2]?.includes('touch'));
});

test('runPredeploy: output goes to the log, a non-zero exit is a failed build naming the command and status', async () => {
  const lines: string[] = [];
  await runPredeploy({ command: 'echo "$GREETING from $0"', runStep: hostStepRunner, cwd: '/', env: { PATH: '/usr/bin:/bin', GREETING: 'hi' }, log: (l) => lines.push(l) });
  assert.deepEqual(lines, ['-----> Running predeploy (app.json scripts.dokku.predeploy): echo "$GREETING from $0"', '       hi from bash']);
  await assert.rejects(
    runPredeploy({ command: 'exit 3', runStep: hostStepRunner, cwd: '/', env: { PATH: '/usr/bin:/bin' }, log: () => undefined }),
    (err: Error & { code?: string }) => err.code === 'E_BUILD_FAILED' && err.message === 'the predeploy script `exit 3` exited with status 3',
  );
});
