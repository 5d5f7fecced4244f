// Router throughput and latency: wrk, 64 keep-alive connections, against a
// small Node backend (its own process, ~100-byte body) directly, through
// Slipway's Router (real HAProxy, set up by the Router class, access log on;
// once as configured by default, once without replaying safe requests)
// and through a plain nginx (upstream keep-alive, its default access log: a
// file written line by line), so both proxies log every request.
// Interleaved repetitions, medians.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run, waitFor } from '../src/lib/index.js';
import { Router } from '../src/router/index.js';
import { freePort, median, printTable, writeResults, type Row } from './lib.js';

const INSTALL = 'apt-get install -y wrk nginx-light';
const BACKEND = `const http=require('http');const body='x'.repeat(100);
const s=http.createServer((q,r)=>{r.writeHead(200,{'content-type':'text/plain','content-length':body.length});r.end(body)});
s.keepAliveTimeout=65000;s.listen(0,'127.0.0.1',()=>console.log(s.address().port));`;

interface Wrk {
  rps: number;
  p50: number;
  p99: number;
  /** CPU the proxy's processes (and for the router, this Node process reading logs) used per request, in µs. */
  cpuUs: number;
  /** Of which this Node process (the router's access-log reader). */
  nodeUs: number;
}

function which(name: string, dirs = ['/usr/bin', '/usr/sbin', '/usr/local/bin', '/usr/local/sbin']): string | undefined {
  for (const d of [...(process.env.PATH ?? '').split(':'), ...dirs]) {
    try {
      accessSync(path.join(d, name), constants.X_OK);
      return path.join(d, name);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
  }
  return undefined;
}

/** user+system CPU in ms of a process and all its descendants (threads included). */
function treeCpuMs(root: number): number {
  const tick = 1000 / 100; // USER_HZ is 100 on Linux
  const procs = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ pid: Number(pid), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) * tick }];
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return [];
      throw err;
    }
  });
  const inTree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (inTree.has(p.pid) || !inTree.has(p.ppid)) continue;
      inTree.add(p.pid);
      grew = true;
    }
  }
  return procs.filter((p) => inTree.has(p.pid)).reduce((s, p) => s + p.cpu, 0);
}

function nodeCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

const toMs = (v: string): number => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v.trim());
  if (!m) throw new Error(`wrk latency ${v}?`);
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
};

async function wrk(url: string, host: string, seconds: number, cpu: () => number): Promise<Wrk> {
  const c0 = cpu();
  const n0 = nodeCpuMs();
  const r = await run(['wrk', '-t2', '-c64', `-d${seconds}s`, '--latency', '-H', `Host: ${host}`, url], { timeoutMs: (seconds + 30) * 1000 });
  const c1 = cpu();
  const n1 = nodeCpuMs();
  const grab = (re: RegExp): string => re.exec(r.stdout)?.[1] ?? '';
  const requests = Number(grab(/(\d+) requests in/));
  const errors = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(r.stdout);
  if (errors) throw new Error(`wrk saw errors through ${url}: ${errors[0]}`);
  return { rps: Number(grab(/Requests\/sec:\s+([\d.]+)/)), p50: toMs(grab(/^\s+50%\s+(\S+)/m)), p99: toMs(grab(/^\s+99%\s+(\S+)/m)), cpuUs: ((c1 - c0) * 1000) / requests, nodeUs: ((n1 - n0) * 1000) / requests };
}

function lines(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    child.stdout?.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

function nginxConf(dir: string, port: number, backendPort: number): string {
  const tmp = (n: string): string => `${n}_temp_path ${path.join(dir, n)};`;
  return `worker_processes auto;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
daemon off;
events { worker_connections 4096; }
http {
  access_log ${dir}/access.log;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(tmp).join('\n  ')}
  upstream app { server 127.0.0.1:${backendPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
}
`;
}

export async function router(seconds = Number(process.env.BENCH_SECONDS ?? 10), reps = Number(process.env.BENCH_REPS ?? 3)): Promise<Row[]> {
  const nginx = which('nginx');
  if (!which('wrk') || !nginx) {
    process.stderr.write(`bench router needs wrk and nginx: ${INSTALL}\n`);
    process.exitCode = 1;
    return [];
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-router-'));
  const children: ChildProcess[] = [];
  const routers: Router[] = [];
  const startRouter = async (name: string, retrySafeRequests: boolean): Promise<{ url: string; pid: number }> => {
    const r = new Router({ runDir: path.join(dir, name), domain: 'localhost', listen: { host: '127.0.0.1', port: 0 }, onRouterLog: () => undefined, retrySafeRequests });
    routers.push(r);
    const { url } = await r.start();
    await r.setApp('bench', { hosts: [], targets: [{ id: 'web.1', host: '127.0.0.1', port: backendPort, state: 'ready' }], state: 'running' });
    return { url, pid: r.haproxyPid as number };
  };
  let backendPort = 0;
  try {
    const backend = spawn(process.execPath, ['-e', BACKEND], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(backend);
    backendPort = Number(await lines(backend));
    const routed = await startRouter('router', true);
    const plain = await startRouter('router-noretry', false);

    const nginxPort = await freePort();
    writeFileSync(path.join(dir, 'nginx.conf'), nginxConf(dir, nginxPort, backendPort));
    const ngx = spawn(nginx, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
    children.push(ngx);
    await waitFor(async () => (await fetch(`http://127.0.0.1:${nginxPort}/`)).ok, { timeoutMs: 5000, what: 'nginx' });

    const targets = {
      direct: { url: `http://127.0.0.1:${backendPort}/`, cpu: () => 0 },
      router: { url: `${routed.url}/`, cpu: () => treeCpuMs(routed.pid) + nodeCpuMs() },
      routerNoRetry: { url: `${plain.url}/`, cpu: () => treeCpuMs(plain.pid) + nodeCpuMs() },
      nginx: { url: `http://127.0.0.1:${nginxPort}/`, cpu: () => treeCpuMs(ngx.pid as number) },
    };
    const res: Record<keyof typeof targets, Wrk[]> = { direct: [], router: [], routerNoRetry: [], nginx: [] };
    for (let i = 0; i < reps; i++) {
      for (const [name, tg] of Object.entries(targets) as [keyof typeof targets, (typeof targets)['direct']][]) {
        res[name].push(await wrk(tg.url, 'bench.localhost', seconds, tg.cpu));
        process.stderr.write(`bench router: rep ${i + 1} ${name} ${res[name].at(-1)?.rps.toFixed(0)} req/s\n`);
      }
    }
    return report(res, seconds, reps);
  } finally {
    for (const r of routers) await r.stop();
    for (const c of children) c.kill('SIGTERM');
    await new Promise((res) => setTimeout(res, 200));
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(res: Record<'direct' | 'router' | 'routerNoRetry' | 'nginx', Wrk[]>, seconds: number, reps: number): Row[] {
  const m = (name: keyof typeof res, k: keyof Wrk): number => median(res[name].map((w) => w[k]));
  const ngx = { rps: m('nginx', 'rps'), p99: m('nginx', 'p99') };
  const label = {
    direct: 'direct to the backend',
    router: 'Slipway Router (HAProxy 2.6)',
    routerNoRetry: 'Router, retrySafeRequests: false',
    nginx: 'nginx 1.22',
  };
  const rows: Row[] = (Object.keys(res) as (keyof typeof res)[]).map((name) => ({
    name: label[name],
    'req/s': Math.round(m(name, 'rps')),
    p50: `${m(name, 'p50').toFixed(2)} ms`,
    p99: `${m(name, 'p99').toFixed(2)} ms`,
    'req/s ÷ nginx': (m(name, 'rps') / ngx.rps).toFixed(2),
    'p99 ÷ nginx': (m(name, 'p99') / ngx.p99).toFixed(2),
    'proxy CPU/req': name === 'direct' ? '—' : `${m(name, 'cpuUs').toFixed(0)} µs`,
    'of which Node logs': name.startsWith('router') ? `${m(name, 'nodeUs').toFixed(1)} µs` : '—',
  }));
  printTable(`Router throughput (wrk -t2 -c64, ${seconds} s × ${reps} interleaved, medians)`, rows);
  const file = writeResults('router', {
    seconds,
    reps,
    connections: 64,
    runs: res,
    medians: Object.fromEntries((Object.keys(res) as (keyof typeof res)[]).map((n) => [n, { rps: m(n, 'rps'), p50_ms: m(n, 'p50'), p99_ms: m(n, 'p99'), cpu_us_per_req: m(n, 'cpuUs') }])),
    router_vs_nginx: { throughput: m('router', 'rps') / ngx.rps, p99: m('router', 'p99') / ngx.p99, goal: 'throughput ≥ 0.9×, p99 ≤ 1.2×' },
    router_no_retry_vs_nginx: { throughput: m('routerNoRetry', 'rps') / ngx.rps, p99: m('routerNoRetry', 'p99') / ngx.p99 },
  });
  process.stdout.write(`\nwrote ${file}\n`);
  return rows;
}
