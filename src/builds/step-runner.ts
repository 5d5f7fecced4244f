import { RUNTIMES_MOUNT, runStep, type StepRunner } from '../buildpacks/index.js';
import { bwrapArgs, sandboxEnv, SANDBOX_ENV_FD, type Mount } from '../lib/index.js';
import type { Workspace } from './workspace.js';
import { isRoot } from './workspace.js';

export interface SandboxOptions {
  ws: Workspace;
  uid: number;
  hostname: string;
  /** Buildpack directories, seen at their host paths. */
  buildpackDirs: { dir: string; readOnly: boolean }[];
  /** The shared language runtime cache, seen read-only at RUNTIMES_MOUNT. */
  runtimesDir: string;
  deadline: number;
}

/** Paths as buildpack steps see them: Heroku's /app, plus /cache and /env. */
export const SANDBOX_LAYOUT = { buildDir: '/app', cacheDir: '/cache', envDir: '/env' };
const WORKSPACE = '/workspace';

/**
 * Every buildpack step runs in bubblewrap as the app's user, with only its
 * build dir, cache and env visible, and is killed at the build deadline:
 * `timeout -s KILL` ends bwrap, whose --die-with-parent ends the sandbox, and
 * `setpriv --pdeathsig` ends the chain if the daemon itself dies.
 */
export function sandboxedStepRunner(opts: SandboxOptions): StepRunner {
  // One mount for build dir + cache + env (hardlinks cannot cross mounts);
  // /app, /cache and /env are symlinks into it.
  const mounts: Mount[] = [{ src: opts.ws.root, dest: WORKSPACE, readOnly: false }, ...opts.buildpackDirs.map((d) => ({ src: d.dir, readOnly: d.readOnly })), { src: opts.runtimesDir, dest: RUNTIMES_MOUNT, readOnly: true }];
  const links = [
    { path: '/app', target: `${WORKSPACE}/app` },
    { path: '/cache', target: `${WORKSPACE}/cache` },
    { path: '/env', target: `${WORKSPACE}/env` },
  ];
  const root = isRoot();
  return (argv, step) => {
    const secs = Math.max(1, Math.ceil((opts.deadline - Date.now()) / 1000));
    const inner = bwrapArgs({
      argv,
      env: step.env,
      cwd: step.cwd,
      uid: root ? opts.uid : undefined,
      gid: root ? opts.uid : undefined,
      hostname: opts.hostname,
      mounts,
      links,
      passwdFile: opts.ws.passwd,
      groupFile: opts.ws.group,
    });
    const full = ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', 'timeout', '-s', 'KILL', `${secs}s`, ...inner];
    // the step's env (config, proxy credentials) goes through the env fd, never argv
    return runStep(full, { cwd: '/', env: { PATH: '/usr/bin:/bin' }, onLine: step.onLine, fds: { [SANDBOX_ENV_FD]: sandboxEnv(step.env) } });
  };
}
