import { bwrapArgs, sandboxEnv, type Mount } from '../../lib/index.js';
import type { ProcessSpec } from '../driver.js';

/**
 * The instance's PID 1 inside the sandbox: sources .profile.d/*.sh (the
 * buildpack contract), runs the command under bash as Heroku does (so $PORT
 * expands), and forwards SIGTERM/SIGINT to the command's whole process group.
 * A PID 1 only gets signals it has handlers for, and a shell that dies
 * leaves its children behind, hence the traps and the command's own session
 * (setsid: its pid is its process group).
 * The script is a constant; the command arrives as $1, never pasted in.
 */
// Traps first: a SIGTERM that comes before the command has started is
// remembered and passed on as soon as it has.
// Until `setsid` has run, the child is not yet a process group: a signal then goes to its pid
// (it has not exec'd the command yet, so it simply ends).
const INIT_HEAD = [
  "child=''; stop=''",
  'sig() { [ -n "$child" ] && { kill -"$1" -- -"$child" 2>/dev/null || kill -"$1" "$child" 2>/dev/null; }; }',
  "trap 'stop=1; sig TERM' TERM",
  "trap 'sig INT' INT",
  "trap 'sig WINCH' WINCH",
];
const INIT_TAIL = [
  'child=$!',
  '[ -n "$stop" ] && sig TERM',
  'while :; do wait "$child"; status=$?; kill -0 "$child" 2>/dev/null || exit "$status"; done',
];
const PROFILE = 'for f in /app/.profile.d/*.sh; do [ -r "$f" ] && . "$f"; done';
/** The init's own stderr goes quiet (bash reports killed jobs there); the command keeps the real one as fd 3 → 2. */
const QUIET = 'exec 3>&2 2>/dev/null';
// A background job of a non-interactive shell starts with SIGINT and SIGQUIT ignored, and an
// ignored-at-start signal cannot even be trapped: `env --default-signal` gives them back, so a
// forwarded Ctrl-C reaches the app.

/** For a Procfile command: `bash -c "$1"` (so `$PORT` expands, as on Heroku). `<&0` keeps stdin: a background job would get /dev/null. */
export const INIT_SCRIPT = [...INIT_HEAD, PROFILE, QUIET, 'setsid env --default-signal=INT,QUIT bash -c "$1" <&0 2>&3 3>&- &', ...INIT_TAIL].join('\n');

/** The gate's file descriptor: the driver writes `go` on it to open a gated instance. */
export const GATE_FD = 4;
/**
 * A gated instance: the command's session is set up in advance and waits at
 * the gate, before .profile.d (the app's first code) runs; then it becomes
 * `bash -c "$1"` as usual. Anything but `go` on the gate (EOF: the daemon is
 * gone) ends it; so does a SIGTERM while it waits (the init passes it on).
 */
const GATED_JOB = `read -r go port <&${GATE_FD}; [ "$go" = go ] || exit 0; exec ${GATE_FD}<&-; case "$port" in '') ;; *[!0-9]*) exit 0 ;; *) export PORT="$port" ;; esac; ${PROFILE}; exec bash -c "$1"`;
// The job is passed as an argument, not pasted inside quotes: nothing in it can break the init's own parsing.
export const GATED_INIT_SCRIPT = [...INIT_HEAD, QUIET, 'setsid env --default-signal=INT,QUIT bash -c "$2" slipway-job "$1" <&0 2>&3 3>&- &', ...INIT_TAIL].join('\n');

/** For a one-off argv: run exactly that, no shell in between (`run -- bash -c ...` gets what it asked for). */
export const INIT_ARGV_SCRIPT = [...INIT_HEAD, PROFILE, QUIET, 'setsid env --default-signal=INT,QUIT "$@" <&0 2>&3 3>&- &', ...INIT_TAIL].join('\n');

/**
 * Runs argv under a pseudo-terminal of the given size and relays it: a
 * constant program, argv and size as arguments. Resizes come in as
 * "\x00R<cols>,<rows>\n" records on stdin, which nothing a user types
 * produces (NUL cannot be typed as part of that sequence by accident).
 */
export const PTY_SCRIPT = String.raw`
import fcntl, os, pty, select, signal, struct, sys, termios
cols, rows = int(sys.argv[1]), int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
def size(c, r):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', r, c, 0, 0))
size(cols, rows)
signal.signal(signal.SIGTERM, lambda *a: os.kill(pid, signal.SIGTERM))
buf = b''
inputs = [fd, 0]
while True:
    r, _, _ = select.select(inputs, [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            data = b''
        if not data:
            break
        os.write(1, data)
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            os.write(fd, b'\x04')
            inputs.remove(0)
            continue
        buf += data
        while b'\x00R' in buf:
            pre, rest = buf.split(b'\x00R', 1)
            if b'\n' not in rest:
                break
            spec, buf = rest.split(b'\n', 1)
            os.write(fd, pre)
            c, r2 = spec.split(b',')
            size(int(c), int(r2))
            os.kill(pid, signal.SIGWINCH)
        else:
            os.write(fd, buf)
            buf = b''
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) if os.waitstatus_to_exitcode(status) >= 0 else 128 - os.waitstatus_to_exitcode(status))
`;

export interface SandboxFiles {
  passwd: string;
  group: string;
}

/** The instance's environment, for the sandbox's env fd (never argv). */
export function instanceEnv(spec: ProcessSpec): Buffer {
  return sandboxEnv({ ...spec.env, HOME: '/home/app', ...(spec.tty ? { TERM: spec.env.TERM ?? 'xterm-256color' } : {}) });
}

/** The argv that runs one instance: bwrap as the app user, the release read-only at /app. */
export function instanceArgv(spec: ProcessSpec, files: SandboxFiles, infoFd: number, tmpMb: number, sharedMounts: Mount[] = []): string[] {
  const mounts: Mount[] = [{ src: spec.root, dest: '/app', readOnly: true }, ...sharedMounts.map((m) => ({ ...m, readOnly: true }))];
  const inner = spec.argv ?? [];
  const command = spec.tty ? ['python3', '-c', PTY_SCRIPT, String(spec.tty.cols), String(spec.tty.rows), ...(spec.argv ?? ['bash', '-c', spec.command ?? ''])] : inner;
  const init =
    spec.argv || spec.tty
      ? ['bash', '-c', INIT_ARGV_SCRIPT, 'slipway-init', ...command]
      : spec.gated
        ? ['bash', '-c', GATED_INIT_SCRIPT, 'slipway-init', spec.command ?? '', GATED_JOB]
        : ['bash', '-c', INIT_SCRIPT, 'slipway-init', spec.command ?? ''];
  const argv = bwrapArgs({
    argv: init,
    env: {}, // on the env fd: instanceEnv()
    cwd: spec.cwd,
    uid: spec.user.uid,
    gid: spec.user.gid,
    hostname: spec.hostname,
    mounts,
    tmpfs: ['/home/app'],
    passwdFile: files.passwd,
    groupFile: files.group,
    tmpfsSizeMb: tmpMb,
  });
  // bwrap reports the host pid of the sandbox's PID 1 (its own reaper) on
  // --info-fd; our init script is that process's child, and is who gets
  // SIGTERM. (Not --as-pid-1: the app's PID 1 would lose bwrap's
  // die-with-parent when setpriv switches uid, and outlive a killed daemon.)
  return [argv[0] as string, '--info-fd', String(infoFd), ...argv.slice(1)];
}
