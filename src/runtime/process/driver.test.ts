import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDriverContract } from '../driver.contract.js';
import { ProcessDriver } from './driver.js';

runDriverContract('process driver', (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driver-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return new ProcessDriver(dir);
});
