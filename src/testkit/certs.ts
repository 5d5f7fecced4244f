import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { run } from '../lib/index.js';

export interface TestCa {
  dir: string;
  certFile: string;
  cert: string;
}

/** A private CA made with Debian's openssl, for certificates that tests bring. */
export async function makeCa(dir: string, name = 'Slipway Test CA'): Promise<TestCa> {
  const certFile = path.join(dir, 'ca.crt');
  await run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'ca.key'), '-out', certFile, '-days', '30', '-subj', `/CN=${name}`]);
  writeFileSync(path.join(dir, 'index.txt'), '');
  writeFileSync(path.join(dir, 'serial'), '1000\n');
  writeFileSync(
    path.join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca = d\n[d]\ndir = ${dir}\ndatabase = ${dir}/index.txt\nnew_certs_dir = ${dir}\nserial = ${dir}/serial\ndefault_md = sha256\npolicy = p\ncopy_extensions = copy\nunique_subject = no\n[p]\ncommonName = supplied\n`,
  );
  return { dir, certFile, cert: readFileSync(certFile, 'utf8') };
}

let n = 0;

/** A leaf for `hosts` signed by the CA; `dates` as openssl's YYYYMMDDHHMMSSZ (default: valid for 30 days from now). */
export async function issueCert(ca: TestCa, hosts: string[], opts: { start?: string; end?: string; rsaBits?: number } = {}): Promise<{ cert: string; key: string; certFile: string; keyFile: string }> {
  const base = path.join(ca.dir, `leaf${++n}`);
  const keyArgs = opts.rsaBits ? ['-newkey', `rsa:${opts.rsaBits}`] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  await run(['openssl', 'req', '-new', ...keyArgs, '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${hosts[0]}`, '-addext', `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}`]);
  const dates = opts.end ? ['-startdate', opts.start ?? '20200101000000Z', '-enddate', opts.end] : ['-days', '30'];
  await run(['openssl', 'ca', '-batch', '-notext', '-config', path.join(ca.dir, 'ca.cnf'), '-cert', ca.certFile, '-keyfile', path.join(ca.dir, 'ca.key'), '-in', `${base}.csr`, '-out', `${base}.crt`, ...dates]);
  return { cert: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8'), certFile: `${base}.crt`, keyFile: `${base}.key` };
}
