import { existsSync, lstatSync } from 'node:fs';

export interface Mount {
  /** Path on the host. */
  src: string;
  /** Path inside the sandbox (default: same as src). */
  dest?: string;
  readOnly: boolean;
}

export interface SandboxSpec {
  argv: string[];
  /**
   * The command's environment. It is never on any argv: the caller writes
   * `sandboxEnv(env)` to fd SANDBOX_ENV_FD, and the loader reads it after
   * the switch to the app's user (see ENV_LOADER).
   */
  env: Record<string, string>;
  cwd: string;
  /** Numeric user and group the command runs as; omitted = the caller's own (no switch). */
  uid?: number;
  gid?: number;
  hostname: string;
  mounts: Mount[];
  /** Extra private tmpfs directories (e.g. the instance's $HOME). */
  tmpfs?: string[];
  /** Size cap of each tmpfs (/tmp, /run, /var and the extra ones); unset = the kernel's default, half of RAM. */
  tmpfsSizeMb?: number;
  /** Symlinks created inside the sandbox after the mounts: path → target. */
  links?: { path: string; target: string }[];
  /** A passwd file to show as /etc/passwd, so tools that look up the user find it. */
  passwdFile?: string;
  groupFile?: string;
}

/** System directories every sandbox sees read-only (a merged-/usr Debian keeps /bin etc. as symlinks). */
const SYSTEM_DIRS = ['/usr', '/etc', '/opt'];
const SYSTEM_LINKS = ['/bin', '/sbin', '/lib', '/lib64', '/lib32', '/libx32'];

/** The descriptor the sandbox reads its command's environment from. */
export const SANDBOX_ENV_FD = 5;

/** What the privileged part of the chain (bwrap, setpriv) runs with: fixed, nothing of the app's. */
const FIXED_ENV = ['PATH', '/usr/bin:/bin'];

/**
 * Runs as the app's user with no capabilities: reads NUL-separated
 * `KEY=value` records from the fd given as $ARGV[0], closes it, and execs the
 * rest of argv with exactly that environment. Perl (perl-base is Essential on
 * Debian) rather than bash: bash refuses to export readonly names such as
 * SHELLOPTS or UID, and a config var may use any name. A constant program:
 * nothing of the app is pasted in.
 */
export const ENV_LOADER = [
  'my $fd = shift @ARGV; shift @ARGV if @ARGV && $ARGV[0] eq "--";',
  'open(my $in, "<&=", $fd) or die "slipway: no environment on fd $fd: $!\\n";',
  'my $d = do { local $/; <$in> }; close $in;',
  '%ENV = (); for my $kv (split /\\0/, defined $d ? $d : "") { my ($k, $v) = split /=/, $kv, 2; $ENV{$k} = defined $v ? $v : "" if length $k }',
  'exec { $ARGV[0] } @ARGV; print STDERR "slipway: cannot run $ARGV[0]: $!\\n"; exit 127;',
].join(' ');

/** The bytes to write to SANDBOX_ENV_FD for an environment. */
export function sandboxEnv(env: Record<string, string>): Buffer {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    // keys come validated from config (or are the platform's own); a NUL or '=' would shift the records
    if (!k || k.includes('=') || k.includes('\0') || v.includes('\0')) throw new TypeError(`sandboxEnv: invalid variable ${JSON.stringify(k)}`);
    parts.push(`${k}=${v}\0`);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/**
 * Builds the bubblewrap argv for a spec (a pure function: tested by asserting
 * the array). Own PID/IPC/UTS namespaces, read-only system, private /tmp,
 * nothing of the host's /home, /root, /var or the daemon's state unless
 * mounted explicitly. The network namespace is shared: builds fetch
 * packages and instances listen on ports the router reaches.
 *
 * Dropping to the app's user is done inside by `setpriv` (bwrap's own --uid
 * needs a user namespace, which would map the app to root outside). bwrap
 * and setpriv run privileged, so they see only FIXED_ENV: the app's
 * environment (LD_PRELOAD, ...) is read from SANDBOX_ENV_FD by ENV_LOADER
 * after setpriv has dropped uid, groups and every capability, and it is on
 * no argv, where any user of the host could read it with `ps`.
 */
export function bwrapArgs(spec: SandboxSpec, hostHasPath: (p: string) => 'dir' | 'link' | 'none' = probe): string[] {
  const a: string[] = ['bwrap', '--die-with-parent', '--new-session', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try'];
  a.push('--hostname', spec.hostname);
  for (const d of SYSTEM_DIRS) if (hostHasPath(d) === 'dir') a.push('--ro-bind', d, d);
  for (const l of SYSTEM_LINKS) {
    const kind = hostHasPath(l);
    if (kind === 'link') a.push('--symlink', `usr${l}`, l);
    else if (kind === 'dir') a.push('--ro-bind', l, l);
  }
  if (spec.passwdFile) a.push('--ro-bind', spec.passwdFile, '/etc/passwd');
  if (spec.groupFile) a.push('--ro-bind', spec.groupFile, '/etc/group');
  // tmpfs mounts are root-owned; 1777 lets the (single) sandbox user write to /tmp and its $HOME
  const size = spec.tmpfsSizeMb === undefined ? [] : ['--size', String(spec.tmpfsSizeMb * 1024 * 1024)];
  a.push('--proc', '/proc', '--dev', '/dev', '--perms', '1777', ...size, '--tmpfs', '/tmp', ...size, '--tmpfs', '/run', ...size, '--tmpfs', '/var');
  // parents inside the read-only system binds exist already; under the sandbox's own tmpfs (/tmp, /run, /var) they are made here
  const systemRoots = [...SYSTEM_DIRS, ...SYSTEM_LINKS, '/proc', '/dev'];
  const tmpfsRoots = new Set(['/tmp', '/run', '/var']);
  const made = new Set<string>();
  for (const m of spec.mounts) {
    const dest = m.dest ?? m.src;
    // bwrap would create missing parents as 0700 root dirs the app user cannot cross
    for (const dir of ancestors(dest)) {
      if (made.has(dir) || tmpfsRoots.has(dir) || systemRoots.some((t) => dir === t || dir.startsWith(`${t}/`))) continue;
      made.add(dir);
      a.push('--perms', '0755', '--dir', dir);
    }
    a.push(m.readOnly ? '--ro-bind' : '--bind', m.src, dest);
  }
  for (const t of spec.tmpfs ?? []) a.push('--perms', '1777', ...size, '--tmpfs', t);
  for (const l of spec.links ?? []) a.push('--symlink', l.target, l.path);
  a.push('--chdir', spec.cwd, '--clearenv', '--setenv', ...FIXED_ENV, '--');
  if (spec.uid !== undefined) {
    const gid = spec.gid ?? spec.uid;
    // --pdeathsig again after the uid switch: changing uid clears the one bwrap set, and without it
    // a sandbox whose PID 1 is the app (--as-pid-1) would outlive a killed bwrap
    a.push('setpriv', `--reuid=${spec.uid}`, `--regid=${gid}`, '--clear-groups', '--inh-caps=-all', '--ambient-caps=-all', '--bounding-set=-all', '--no-new-privs', '--pdeathsig', 'KILL', '--');
  }
  a.push('perl', '-e', ENV_LOADER, String(SANDBOX_ENV_FD), '--', ...spec.argv);
  return a;
}

/** '/a/b/c' → ['/a', '/a/b'] */
function ancestors(p: string): string[] {
  const parts = p.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

function probe(p: string): 'dir' | 'link' | 'none' {
  if (!existsSync(p)) return 'none';
  return lstatSync(p).isSymbolicLink() ? 'link' : 'dir';
}

/** A minimal passwd/group pair naming the sandbox user (uid → name, home). */
export function passwdFor(name: string, uid: number, gid: number, home: string): { passwd: string; group: string } {
  return {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n${name}:x:${uid}:${gid}:${name}:${home}:/bin/sh\n`,
    group: `root:x:0:\nnogroup:x:65534:\n${name}:x:${gid}:\n`,
  };
}
