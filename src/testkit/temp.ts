// The one test kit (ARCHITECTURE.md: `testkit/`). Not named *.test.ts, so
// node --test does not run these files as tests.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** What the kit needs of a test context: somewhere to register cleanup. */
export interface After {
  after(fn: () => unknown): void;
}

/** A fresh directory under the OS temp dir, removed in t.after(). */
export function tempDir(t: After, prefix = 'slipway-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  // retried: a child that was just killed (HAProxy, an instance) may still be closing files in it
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 }));
  return dir;
}
