import assert from 'node:assert/strict';
import test from 'node:test';
import { isSlipwayError } from '../lib/index.js';
import { haproxyConfig, mapFile, runPaths } from './config.js';
import { findHaproxy, haproxyArgs } from './haproxy-process.js';
import { batchLines, errorLines, parseShowProc } from './runtime-api.js';
import { planSlots } from './slots.js';
import { appStats, indexStats, parseShowStat } from './stats.js';
import { checkAppName, checkTarget, normalizeHost } from './types.js';

const paths = runPaths('/srv/slipway/router');

test('haproxy argv: setpriv parent-death signal, master-worker, foreground, master socket', () => {
  assert.deepEqual(haproxyArgs('/usr/sbin/haproxy', paths, '/usr/bin/setpriv'), [
    '/usr/bin/setpriv', '--pdeathsig', 'KILL', '--',
    '/usr/sbin/haproxy', '-W', '-db', '-q', '-S', '/srv/slipway/router/master.sock,mode,600', '-f', '/srv/slipway/router/haproxy.cfg',
  ]);
  assert.equal(haproxyArgs('/usr/sbin/haproxy', paths, undefined)[0], '/usr/sbin/haproxy');
});

test('a missing haproxy says how to install it', () => {
  assert.throws(() => findHaproxy('/nonexistent/haproxy'), (e: unknown) => isSlipwayError(e) && e.code === 'E_ROUTER_UNAVAILABLE' && /apt-get install haproxy/.test(e.message));
});

test('the config: ready slots live, draining and empty ones disabled, the request timeout as timeout server', () => {
  const table = planSlots(undefined, [
    { id: 'web.1', addr: '127.0.0.1', port: 5001, state: 'ready' },
    { id: 'web.2', addr: '::1', port: 5002, state: 'draining' },
  ]);
  const cfg = haproxyConfig({ paths, listen: { host: '0.0.0.0', port: 8080 }, logPort: 5514, logTag: 'slwabc', requestTimeoutMs: 30_000, dropPrivileges: true, threads: 1, retrySafeRequests: true, backends: [{ name: 'app_hello', table }] });
  for (const line of [
    '  uid 65534',
    '  mworker-max-reloads 3',
    '  nbthread 1',
    '  bind 0.0.0.0:8080',
    '  timeout server 30000ms',
    '  timeout http-request 10s',
    '  timeout tunnel 1h',
    '  retry-on conn-failure empty-response',
    '  balance leastconn',
    '  server s1 127.0.0.1:5001',
    '  server s2 [::1]:5002 disabled',
    '  server s3 0.0.0.0:1 disabled',
    '  log ring@access len 16384 format raw local0 info',
    '  server daemon 127.0.0.1:5514',
  ]) {
    assert.ok(cfg.split('\n').includes(line), `missing: ${line}`);
  }
});

test('run directories that haproxy.cfg or the runtime API would mis-parse are refused', () => {
  for (const bad of ['/tmp/with space', '/tmp/semi;colon', '/tmp/quote"', `/tmp/${'x'.repeat(120)}`]) {
    assert.throws(() => runPaths(bad), (e: unknown) => isSlipwayError(e) && e.code === 'E_SETTINGS_INVALID', bad);
  }
});

test('names, hosts and targets are checked before they reach HAProxy', () => {
  assert.equal(normalizeHost('WWW.Example.COM.'), 'www.example.com');
  for (const bad of ['a b.com', 'x.com;del map', 'x.com\nshow', '*.example.com', 'ex ample', '']) assert.throws(() => normalizeHost(bad), bad);
  assert.throws(() => checkAppName('bad name'));
  assert.throws(() => checkAppName('x;y'));
  const ok = { id: 'web.1', host: '127.0.0.1', port: 5000, state: 'ready' as const };
  checkTarget('a', ok);
  assert.throws(() => checkTarget('a', { ...ok, id: 'web 1' }));
  assert.throws(() => checkTarget('a', { ...ok, port: 0 }));
  assert.throws(() => checkTarget('a', { ...ok, host: '1.2.3.4 port 9' }));
});

test('runtime API batches: separators refused, long batches split, errors found', () => {
  assert.throws(() => batchLines(['set map x a b; shutdown']));
  assert.throws(() => batchLines(['show info\nshutdown']));
  const lines = batchLines(Array.from({ length: 400 }, (_, i) => `set server app_x/s${i} state maint`));
  assert.ok(lines.length > 1 && lines.every((l) => l.length <= 8000));
  assert.deepEqual(errorLines("IP changed from '0.0.0.0' to '127.0.0.1', port changed from '1' to '5001' by 'stats socket command'\n\n\n"), []);
  assert.deepEqual(errorLines('\nNo such server.\n\n'), ['No such server.']);
  assert.equal(mapFile([['a.localhost', 'app_a']]), 'a.localhost app_a\n');
});

test('show proc and show stat parse into workers and per-target figures', () => {
  const proc = parseShowProc(
    '#<PID>          <type>          <reloads>       <uptime>        <version>\n1571            master          1 [failed: 0]   0d00h10m15s     2.6.12\n# workers\n5034            worker          0               0d00h00m00s     2.6.12\n# old workers\n1574            worker          1               0d00h10m15s     2.6.12\n# programs\n\n',
  );
  assert.deepEqual(proc, { current: [5034], old: [1574], failed: 0 });
  const csv = (scur: number, st: string) => `# pxname,svname,qcur,qmax,scur,smax,slim,stot,status,rate\napp_a,s1,0,0,${scur},0,,0,${st},0\napp_a,s2,0,0,0,0,,0,MAINT,0\napp_a,BACKEND,0,0,${scur},0,,${scur * 10},UP,7\n`;
  const table = planSlots(undefined, [{ id: 'web.1', addr: '127.0.0.1', port: 1, state: 'draining' }]);
  const cur = indexStats(parseShowStat(csv(1, 'DRAIN')));
  const s = appStats('app_a', table, cur, [cur, indexStats(parseShowStat(csv(2, 'UP')))]);
  assert.deepEqual(s, { inflight: 3, rate: 14, total: 30, targets: { 'web.1': { inflight: 3, state: 'draining' } } });
});
