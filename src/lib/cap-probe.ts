import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { run } from './exec.js';

/**
 * For security tests: an LD_PRELOAD library whose constructor reports, on
 * stderr, who loaded it: uid, every capability set, no_new_privs, and
 * whether /etc/shadow opens. Compiled with the host's C compiler (a test
 * needs `cc`; scripts/install-system-deps.sh installs it for CI).
 */
const PROBE_C = String.raw`
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
static void field(const char *status, const char *name, char *out, size_t n) {
  const char *p = strstr(status, name);
  out[0] = '?'; out[1] = 0;
  if (!p) return;
  p += strlen(name);
  while (*p == ' ' || *p == '\t') p++;
  size_t i = 0;
  while (p[i] && p[i] != '\n' && i + 1 < n) { out[i] = p[i]; i++; }
  out[i] = 0;
}
__attribute__((constructor)) static void slipway_probe(void) {
  char st[8192] = {0}, comm[64] = {0};
  int fd = open("/proc/self/status", O_RDONLY);
  if (fd >= 0) { if (read(fd, st, sizeof st - 1) < 0) st[0] = 0; close(fd); }
  fd = open("/proc/self/comm", O_RDONLY);
  if (fd >= 0) { ssize_t r = read(fd, comm, sizeof comm - 1); if (r > 0 && comm[r - 1] == '\n') comm[r - 1] = 0; close(fd); }
  char inh[32], prm[32], eff[32], bnd[32], amb[32], nnp[8];
  field(st, "CapInh:", inh, sizeof inh); field(st, "CapPrm:", prm, sizeof prm); field(st, "CapEff:", eff, sizeof eff);
  field(st, "CapBnd:", bnd, sizeof bnd); field(st, "CapAmb:", amb, sizeof amb); field(st, "NoNewPrivs:", nnp, sizeof nnp);
  int shadow = open("/etc/shadow", O_RDONLY);
  if (shadow >= 0) close(shadow);
  dprintf(2, "slipway-probe comm=%s uid=%d euid=%d gid=%d CapInh=%s CapPrm=%s CapEff=%s CapBnd=%s CapAmb=%s NoNewPrivs=%s shadow=%s\n",
          comm, (int)getuid(), (int)geteuid(), (int)getgid(), inh, prm, eff, bnd, amb, nnp, shadow >= 0 ? "readable" : "denied");
}
`;

/** Compiles the probe to DIR/probe.so (mode 0755) and returns its path. */
export async function buildCapProbe(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const src = path.join(dir, 'probe.c');
  const out = path.join(dir, 'probe.so');
  writeFileSync(src, PROBE_C);
  await run(['cc', '-shared', '-fPIC', '-O1', '-o', out, src]);
  return out;
}

export interface ProbeReport {
  comm: string;
  uid: number;
  euid: number;
  privileged: boolean;
  line: string;
}

/** The probe's lines in some output; `privileged` when uid 0, any capability, no no_new_privs, or /etc/shadow opened. */
export function probeReports(text: string): ProbeReport[] {
  const out: ProbeReport[] = [];
  for (const m of text.matchAll(/slipway-probe comm=(\S*) uid=(\d+) euid=(\d+) gid=\d+ CapInh=(\w+) CapPrm=(\w+) CapEff=(\w+) CapBnd=(\w+) CapAmb=(\w+) NoNewPrivs=(\w+) shadow=(\w+)/g)) {
    const [line, comm, uid, euid, ...rest] = m as unknown as string[];
    const caps = rest.slice(0, 5);
    const nnp = rest[5];
    const shadow = rest[6];
    const privileged = uid === '0' || euid === '0' || caps.some((c) => !/^0+$/.test(c ?? '')) || nnp !== '1' || shadow !== 'denied';
    out.push({ comm: comm ?? '', uid: Number(uid), euid: Number(euid), privileged, line: line ?? '' });
  }
  return out;
}
