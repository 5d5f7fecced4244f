// haproxy.cfg, written whole from the router's desired state, so a reload or
// a restart after a crash serves exactly what the runtime API last set.
import path from 'node:path';
import { isIPv6 } from 'node:net';
import { SlipwayError } from '../lib/index.js';
import { slotName, type SlotTable } from './slots.js';
import { PAGES, type PageName } from './pages.js';

/** Pages HAProxy sends for its own errors (bad request, timeouts, an app that fails). */
export const ERRORFILE_PAGES = ['badRequest', 'requestTimeout', 'closed', 'crashed', 'timeout'] as const satisfies readonly PageName[];

export interface RunPaths {
  dir: string;
  cfg: string;
  adminSock: string;
  masterSock: string;
  hostsMap: string;
  statesMap: string;
  /** Hosts whose plain-HTTP requests are redirected to HTTPS. */
  redirectMap: string;
  /** ACME HTTP-01: token → key authorization, answered before any app sees the request. */
  acmeMap: string;
  certsDir: string;
  crtList: string;
  /** The certificate for names no other certificate covers (self-signed, made at start). */
  defaultCert: string;
  certFile: (id: string) => string;
  pageBody: (p: PageName) => string;
  errorfile: (p: PageName) => string;
}

// Paths appear unquoted in haproxy.cfg, inside sample expressions and on
// runtime API command lines (`add map PATH ...`), so they are kept to
// characters none of those parse specially. 107 bytes is the sun_path limit.
const SAFE_PATH = /^\/[A-Za-z0-9._/+@-]*$/;

export function runPaths(dir: string): RunPaths {
  const d = path.resolve(dir);
  if (!SAFE_PATH.test(d)) throw new SlipwayError('E_SETTINGS_INVALID', `router run directory ${JSON.stringify(d)} may only contain letters, digits and . _ / + @ -`);
  if (Buffer.byteLength(path.join(d, 'master.sock')) > 107) throw new SlipwayError('E_SETTINGS_INVALID', `router run directory ${d} is too long for a unix socket path`);
  return {
    dir: d,
    cfg: path.join(d, 'haproxy.cfg'),
    adminSock: path.join(d, 'admin.sock'),
    masterSock: path.join(d, 'master.sock'),
    hostsMap: path.join(d, 'hosts.map'),
    statesMap: path.join(d, 'states.map'),
    redirectMap: path.join(d, 'redirect.map'),
    acmeMap: path.join(d, 'acme.map'),
    certsDir: path.join(d, 'certs'),
    crtList: path.join(d, 'certs.list'),
    defaultCert: path.join(d, 'certs', 'default.pem'),
    certFile: (id) => path.join(d, 'certs', `${id}.pem`),
    pageBody: (p) => path.join(d, 'pages', `${p}.html`),
    errorfile: (p) => path.join(d, 'pages', `${p}.http`),
  };
}

/** How long an idle client connection is kept; an old worker lingers about this long after a reload. */
export const KEEPALIVE_MS = 60_000;

/** The access-log fields, in order; the path is last so a line cut at the 16 KiB limit only loses the end of the path. */
export const LOG_FIELDS = [
  ['backend', '%b'],
  ['server', '%s'],
  ['method', '%HM'],
  ['status', '%ST'],
  ['bytes', '%B'],
  ['TR', '%TR'],
  ['Tw', '%Tw'],
  ['Tc', '%Tc'],
  ['Ta', '%Ta'],
  ['client', '%ci'],
  ['rid', '%[var(txn.rid)]'],
  ['term', '%tsc'],
  ['code', '%[var(txn.code)]'],
  ['proto', '%[ssl_fc,iif(https,http)]'],
  ['host', '%[var(txn.host)]'],
  ['path', '%HU'],
] as const;
export type LogField = (typeof LOG_FIELDS)[number][0];
/** Unit separator: cannot occur in a field (HAProxy rejects control bytes in the request line and escapes them in %HU; the header-derived fields are checked before they are logged). */
export const LOG_SEP = '\x1f';

export interface ConfigInput {
  paths: RunPaths;
  listen: { host: string; port: number };
  logPort: number;
  /** Secret first field of each log line (see access-log.ts); hex. */
  logTag: string;
  requestTimeoutMs: number;
  /** As root, workers run as nobody; the master keeps root to re-read files on reload. */
  dropPrivileges: boolean;
  threads: number;
  retrySafeRequests: boolean;
  /** The HTTPS listener, if any (its port is the one plain requests are redirected to). */
  tls?: { host: string; port: number };
  backends: { name: string; table: SlotTable }[];
}

const hostPort = (host: string, port: number): string => (isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`);
const ms = (n: number): string => `${Math.max(1, Math.round(n))}ms`;

function globalSection(c: ConfigInput): string[] {
  return [
    'global',
    // Numeric ids (Debian's nobody/nogroup): a name is an NSS lookup (nscd, maybe LDAP or DNS)
    // at every config check and reload, which is on no path we want to wait for.
    ...(c.dropPrivileges ? ['  uid 65534', '  gid 65534'] : []),
    `  nbthread ${c.threads}`,
    `  stats socket ${c.paths.adminSock} mode 600 level admin`,
    // Through a ring: HAProxy never waits on the reader (the oldest lines go
    // if the daemon falls 4 MiB behind) and streams lines over one TCP
    // connection per worker: ~4-5 µs of daemon CPU per request against ~9
    // for one UDP datagram each. raw: exactly our log-format, no syslog header.
    '  log ring@access len 16384 format raw local0 info',
    '  tune.bufsize 16384',
    // Request line plus headers must fit in one buffer (16 KiB less maxrewrite),
    // else 400; HAProxy has no separate per-header-line limit.
    '  tune.http.maxhdr 101',
    // Old workers keep WebSockets after a reload at most this long, and
    // live through at most 3 more reloads (then SIGTERM): frequent reloads
    // cannot pile up processes.
    '  hard-stop-after 1h',
    '  mworker-max-reloads 3',
    ...(c.tls ? TLS_GLOBAL : []),
  ];
}

function defaultsSection(c: ConfigInput): string[] {
  const fmt = c.logTag + LOG_FIELDS.map(([, f]) => `\\x1f${f}`).join('');
  const errorfiles = ERRORFILE_PAGES.map((p) => `  errorfile ${PAGES[p].status} ${c.paths.errorfile(p)}`);
  return [
    'defaults',
    '  mode http',
    '  log global',
    '  option dontlognull',
    '  option forwardfor',
    // A target that refuses the connection, or dies with the request and
    // sends nothing back (kill -9, OOM: crashed before the supervisor saw
    // it), is retried on another target; only safe methods are replayed (see
    // disable-l7-retry in the frontend). Keeping each request for a replay
    // costs ~4 µs of HAProxy CPU per request; a failed request costs more.
    '  retries 2',
    '  option redispatch 1',
    `  retry-on conn-failure${c.retrySafeRequests ? ' empty-response' : ''}`,
    '  http-reuse safe',
    '  timeout connect 5s',
    '  timeout client 60s',
    `  timeout server ${ms(c.requestTimeoutMs)}`,
    `  timeout queue ${ms(c.requestTimeoutMs)}`,
    '  timeout http-request 10s',
    `  timeout http-keep-alive ${KEEPALIVE_MS}ms`,
    '  timeout tunnel 1h',
    // A tunnel (WebSocket) closed by one side waits at most this long for the other.
    '  timeout client-fin 10s',
    '  timeout server-fin 10s',
    // On a reload the old worker answers one more request on each idle
    // keep-alive connection (with Connection: close) instead of closing it
    // under a client that may be sending on it at that moment.
    '  option idle-close-on-response',
    `  log-format "${fmt}"`,
    ...errorfiles,
  ];
}

/**
 * TLS 1.2+ with forward-secret AEAD suites only; a session cache so a
 * returning client resumes without a full handshake (tickets and IDs).
 */
const TLS_GLOBAL = [
  '  ssl-default-bind-options ssl-min-ver TLSv1.2',
  '  ssl-default-bind-ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305',
  '  ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
  '  tune.ssl.cachesize 100000',
  '  tune.ssl.lifetime 600',
];

/** Plain HTTP of a host set to https-redirect goes to HTTPS, except ACME's challenge path. */
function redirectRule(c: ConfigInput): string[] {
  if (!c.tls) return [];
  const port = c.tls.port === 443 ? '' : `:${c.tls.port}`;
  return [`  http-request redirect location https://%[var(txn.host)]${port}%[capture.req.uri] code 308 if !{ ssl_fc } { var(txn.host),map(${c.paths.redirectMap}) -m found } !{ path_beg /.well-known/acme-challenge/ }`];
}

function frontendSection(c: ConfigInput): string[] {
  const ridOk = '{ req.hdr_cnt(x-request-id) eq 1 } { req.hdr(x-request-id) -m reg ^[A-Za-z0-9+/=_.:-]{1,200}$ }';
  return [
    'frontend web',
    `  bind ${hostPort(c.listen.host, c.listen.port)}`,
    ...(c.tls ? [`  bind ${hostPort(c.tls.host, c.tls.port)} ssl crt-list ${c.paths.crtList} alpn h2,http/1.1`] : []),
    '  unique-id-format %[uuid()]',
    // Host without port, lowercased; the map lookup is the whole routing table.
    '  http-request set-var(txn.host) req.hdr(host),lower,regsub(:[0-9]+$,)',
    // ACME HTTP-01 challenges of pending orders are answered here, before any app.
    `  http-request return status 200 content-type text/plain lf-string "%[path,field(4,/),map(${c.paths.acmeMap})]" if { path_beg /.well-known/acme-challenge/ } { path,field(4,/),map(${c.paths.acmeMap}) -m found }`,
    ...redirectRule(c),
    // Replaying a POST the dead target may have acted on could do it twice.
    ...(c.retrySafeRequests ? ['  http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS'] : []),
    // A client's own request id is kept when it is one sane value (it is logged and passed on).
    `  http-request set-header X-Request-Id %[unique-id] unless ${ridOk}`,
    '  http-request set-var(txn.rid) req.hdr(x-request-id)',
    '  http-request set-header X-Forwarded-Proto %[ssl_fc,iif(https,http)]',
    '  http-request set-header X-Forwarded-Port %[dst_port]',
    `  use_backend %[var(txn.host),map(${c.paths.hostsMap},unknown_host)]`,
    '  default_backend unknown_host',
  ];
}

function returnPage(c: ConfigInput, page: PageName, cond: string): string {
  return `  http-request return status ${PAGES[page].status} content-type "text/html; charset=utf-8" hdr Cache-Control no-store file ${c.paths.pageBody(page)} ${cond}`.trimEnd();
}

function appBackend(c: ConfigInput, name: string, table: SlotTable): string[] {
  const crashed = `{ be_name,map(${c.paths.statesMap},running) -m str crashed }`;
  return [
    `backend ${name}`,
    '  balance leastconn',
    // No ready target: the app's state picks the page; the code var names it
    // in the log line. A worker stopping after a reload counts no servers
    // (nbsrv 0) yet still forwards its last requests: never show it a page.
    `  http-request set-var(txn.code) str(H10) if { nbsrv eq 0 } !{ stopping } ${crashed}`,
    '  http-request set-var(txn.code) str(H14) if { nbsrv eq 0 } !{ stopping } !{ var(txn.code) -m found }',
    returnPage(c, 'crashed', 'if { var(txn.code) -m str H10 }'),
    returnPage(c, 'noWeb', 'if { var(txn.code) -m str H14 }'),
    // A draining target is written disabled: a fresh worker holds none of its
    // requests (the old worker finishes them), so maint and drain are the same there.
    ...table.slots.map((t, i) => `  server ${slotName(i)} ${t ? hostPort(t.addr, t.port) : '0.0.0.0:1'}${t?.state === 'ready' ? '' : ' disabled'}`),
  ];
}

function ringSection(c: ConfigInput): string[] {
  return [
    'ring access',
    '  format raw',
    '  maxlen 16384',
    '  size 4194304',
    '  timeout connect 5s',
    '  timeout server 1h',
    `  server daemon 127.0.0.1:${c.logPort}`,
  ];
}

export function haproxyConfig(c: ConfigInput): string {
  const sections = [
    globalSection(c),
    ringSection(c),
    defaultsSection(c),
    frontendSection(c),
    ['backend unknown_host', returnPage(c, 'unknownHost', '')],
    ...c.backends.map((b) => appBackend(c, b.name, b.table)),
  ];
  return `# Written by Slipway's router from its desired state; edits are lost on the next change.\n${sections.map((s) => s.join('\n')).join('\n\n')}\n`;
}

export function mapFile(entries: Iterable<[string, string]>): string {
  let out = '';
  for (const [k, v] of entries) out += `${k} ${v}\n`;
  return out;
}
