import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from './commander.js';
import { makeCtx } from './context.js';
import { COMMANDS, modulesFor } from './main.js';
import { makeOutput } from './output.js';

// The CLI loads only the module of the command a run names, found through
// COMMANDS: a name missing there would fall back to loading everything, and
// a wrong one would make the command unknown.
test('COMMANDS names exactly the commands each module registers, and every module once', async () => {
  const ctx = makeCtx(makeOutput());
  const seen = new Set<string>();
  for (const [names, load] of COMMANDS) {
    const program = new Command('slipway').enablePositionalOptions();
    (await load()).register(program, ctx);
    assert.deepEqual(program.commands.map((c) => c.name()), names);
    for (const n of names) {
      assert.ok(!seen.has(n), `${n} listed twice`);
      seen.add(n);
    }
  }
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'commands');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js') && !f.endsWith('.test.js') && !f.startsWith('server'));
  const listed = COMMANDS.map(([, load]) => /import\('\.\/commands\/([^']+)'\)/.exec(String(load))?.[1]);
  assert.deepEqual([...listed].sort(), [...files].sort(), 'every command module is listed in COMMANDS');
});

test('a run loads one command module; help, global options and unknown names load all', () => {
  assert.equal(modulesFor(['node', 'slipway', 'apps']).length, 1);
  assert.equal(modulesFor(['node', 'slipway', 'ps:scale', 'web=2']).length, 1);
  for (const argv of [['node', 'slipway'], ['node', 'slipway', '--help'], ['node', 'slipway', 'help', 'apps'], ['node', 'slipway', 'aps']]) {
    assert.equal(modulesFor(argv).length, COMMANDS.length, argv.join(' '));
  }
});
