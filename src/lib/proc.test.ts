import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { waitFor } from './wait.js';
import { childrenOf, parseStat, readProcTable, treeUsage } from './proc.js';

test('parseStat counts fields after the last parenthesis (names may hold spaces and parens)', () => {
  const rest = 'S 42 1 1 0 -1 4194304 100 0 0 0 150 50 0 0 20 0 1 0 100 1000000 300 18446744073709551615';
  assert.deepEqual(parseStat(`123 (we (ird) name) ${rest}`), { ppid: 42, rssBytes: 300 * 4096, cpuMs: 2000 });
  assert.equal(parseStat('garbage'), undefined);
});

test('treeUsage sums a real process tree: a shell and its sleeping child', async (t) => {
  const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
  t.after(() => child.kill('SIGKILL'));
  const pid = child.pid as number;
  // the shell's own child (sleep) must appear in the tree
  const snapshot = await waitFor(
    () => {
      const table = readProcTable();
      const kids = childrenOf(table);
      return (kids.get(pid)?.length ?? 0) > 0 ? { table, kids } : undefined;
    },
    { timeoutMs: 10_000, what: 'sleep under sh' },
  );
  const whole = treeUsage(snapshot.table, snapshot.kids, pid);
  const shellOnly = snapshot.table.get(pid)?.rssBytes ?? 0;
  assert.ok(shellOnly > 0);
  assert.ok(whole.rssBytes > shellOnly, `tree ${whole.rssBytes} > shell ${shellOnly}`);
  assert.deepEqual(treeUsage(snapshot.table, snapshot.kids, 999_999_999), { rssBytes: 0, cpuMs: 0 });
});
