import { bwrapArgs, type Mount } from '../../lib/index.js';
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
export const INIT_SCRIPT = [
  'for f in /app/.profile.d/*.sh; do [ -r "$f" ] && . "$f"; done',
  'setsid bash -c "$1" &',
  'child=$!',
  "trap 'kill -TERM -- -$child 2>/dev/null' TERM",
  "trap 'kill -INT -- -$child 2>/dev/null' INT",
  'while :; do wait "$child"; status=$?; kill -0 "$child" 2>/dev/null || exit "$status"; done',
].join('\n');

export interface SandboxFiles {
  passwd: string;
  group: string;
}

/** The argv that runs one instance: bwrap as the app user, the release read-only at /app. */
export function instanceArgv(spec: ProcessSpec, files: SandboxFiles, infoFd: number): string[] {
  const mounts: Mount[] = [{ src: spec.root, dest: '/app', readOnly: true }];
  const argv = bwrapArgs({
    argv: ['bash', '-c', INIT_SCRIPT, 'slipway-init', spec.command],
    env: { ...spec.env, HOME: '/home/app' },
    cwd: spec.cwd,
    uid: spec.user.uid,
    gid: spec.user.gid,
    hostname: spec.hostname,
    mounts,
    tmpfs: ['/home/app'],
    passwdFile: files.passwd,
    groupFile: files.group,
  });
  // bwrap reports the host pid of the sandbox's PID 1 (its own reaper) on
  // --info-fd; our init script is that process's child, and is who gets
  // SIGTERM. (Not --as-pid-1: the app's PID 1 would lose bwrap's
  // die-with-parent when setpriv switches uid, and outlive a killed daemon.)
  return [argv[0] as string, '--info-fd', String(infoFd), ...argv.slice(1)];
}
