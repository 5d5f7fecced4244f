import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// The import rules of ARCHITECTURE.md ("Rooms"): which room may import which.
// Read from the TypeScript sources, so a forbidden edge fails here.
const ALLOWED: Record<string, string[]> = {
  daemon: ['*'],
  api: ['auth', 'apps', 'config', 'releases', 'git', 'builds', 'logs', 'supervisor', 'scheduler', 'router', 'metrics', 'stacks', 'lib'],
  cli: ['api/schemas', 'lib'],
  apps: ['state', 'lib'],
  config: ['state', 'lib'],
  git: ['builds', 'auth', 'lib', 'lib/ndjson'], // lib/ndjson: the pre-receive hook starts on every push and loads only that
  auth: ['state', 'lib'],
  builds: ['buildpacks', 'procfile', 'releases', 'logs', 'lib'],
  buildpacks: ['lib'],
  procfile: ['lib'],
  releases: ['procfile', 'config', 'state', 'lib'],
  runtime: ['lib', 'logs'],
  supervisor: ['runtime/driver', 'releases', 'logs', 'lib'],
  router: ['lib', 'logs'],
  scheduler: ['procfile', 'releases', 'supervisor', 'lib'],
  logs: ['lib'],
  metrics: ['state', 'lib'],
  web: [],
  images: ['lib'],
  stacks: ['images', 'state', 'lib'],
  state: ['lib'],
  lib: [],
  e2e: ['lib', 'api/schemas', 'testkit'],
  testkit: ['*'],
  '(entry)': ['cli', 'daemon'],
};

const SRC = path.resolve(fileURLToPath(import.meta.url), '../../../src');

function* tsFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) yield* tsFiles(p);
    else if ((name.endsWith('.ts') || name.endsWith('.tsx')) && !name.endsWith('.d.ts')) yield p;
  }
}

const roomOf = (rel: string): string => (rel.includes('/') ? (rel.split('/')[0] as string) : '(entry)');

test('imports between rooms follow ARCHITECTURE.md', () => {
  const violations: string[] = [];
  let edges = 0;
  for (const file of tsFiles(SRC)) {
    const rel = path.relative(SRC, file);
    const isTest = rel.endsWith('.test.ts');
    const from = roomOf(rel);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.[^'"]+)['"]/g)) {
      const target = path.relative(SRC, path.resolve(path.dirname(file), m[1] as string)).replace(/\.js$/, '');
      const to = roomOf(target);
      // The kit is for tests only; tests use it through its index.
      if (to === 'testkit' && from !== 'testkit') {
        if (!isTest) violations.push(`${rel} imports ${target} (testkit/ is for tests only)`);
        else if (target !== 'testkit/index') violations.push(`${rel} imports ${target} (use testkit/index)`);
        continue;
      }
      if (isTest && from !== 'e2e') continue; // tests may reach into their own room and the rooms it uses
      if (to === from) continue;
      edges++;
      const allowed = ALLOWED[from] ?? [];
      const inner = target.slice(to.length + 1);
      const ok = allowed.includes('*') || allowed.includes(target) || (allowed.includes(to) && (inner === 'index' || from === '(entry)'));
      if (!ok) violations.push(`${rel} imports ${target}`);
    }
  }
  assert.ok(edges > 10, 'the scan found the imports');
  assert.deepEqual(violations, []);
});

test('every room named in the rules exists or is planned, and no unknown room exists', () => {
  for (const name of readdirSync(SRC)) {
    if (statSync(path.join(SRC, name)).isDirectory()) assert.ok(name in ALLOWED, `unknown room src/${name}: add it to ARCHITECTURE.md and this test`);
  }
});

test('no import loop between modules (type-only imports included)', () => {
  const graph = new Map<string, string[]>();
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps = [...text.matchAll(/(?:from\s+|import\s*\(\s*)['"](\.[^'"]+)['"]/g)].map((m) => path.resolve(path.dirname(file), (m[1] as string).replace(/\.js$/, '.ts')));
    graph.set(file, deps);
  }
  assert.ok(graph.size > 50, 'the scan found the modules');
  // depth-first search; a module met again while still on the path closes a loop
  const done = new Set<string>();
  const onPath: string[] = [];
  const loops: string[] = [];
  const visit = (f: string): void => {
    if (done.has(f)) return;
    const at = onPath.indexOf(f);
    if (at >= 0) {
      loops.push([...onPath.slice(at), f].map((p) => path.relative(SRC, p)).join(' → '));
      return;
    }
    onPath.push(f);
    for (const d of graph.get(f) ?? []) if (graph.has(d)) visit(d);
    onPath.pop();
    done.add(f);
  };
  for (const f of graph.keys()) visit(f);
  assert.deepEqual(loops, []);
});
