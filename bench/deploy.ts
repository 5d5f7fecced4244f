// push → release ready for a small Node app with a few npm dependencies
// (fixtures/apps/node-bench: express + ms + picocolors, committed lockfile):
// a first deploy with a cold build cache and a redeploy after a one-line
// change with a warm one, each beside the floor of a plain `git push` of the
// same change to a local bare repo, measured interleaved in the same run.
//
// The push returns only once the build (run in the pre-receive hook) has made
// the release, so the wall time of `git push slipway main` is the deploy time.
import { spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { commitAll, Daemon, fixtureRepo, tempDir } from '../src/testkit/index.js';
import { median, ms, percentile, printTable, writeResults, type Row, scoped } from './lib.js';

const FIXTURE = 'node-bench';
const GOAL_MS = 2000;

interface Push {
  ms: number;
  exitCode: number | null;
  stderr: string;
  /** Each stderr line with the time it arrived, in ms after the push started. */
  lines: { at: number; line: string }[];
}

/** `git ARGS` in cwd with the env d.git uses, timed end to end, noting when each stderr line arrives. */
function timedGit(d: Daemon, args: string[], cwd: string): Promise<Push> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('git', args, { cwd, env: d.gitEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    const lines: Push['lines'] = [];
    let stderr = '';
    let partial = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (s: string) => {
      const at = performance.now() - t0;
      stderr += s;
      const parts = (partial + s).split(/\r|\n/);
      partial = parts.pop() ?? '';
      for (const line of parts) if (line.trim()) lines.push({ at, line: line.trimEnd() });
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const end = performance.now() - t0;
      if (partial.trim()) lines.push({ at: end, line: partial.trimEnd() });
      resolve({ ms: end, exitCode: code, stderr, lines });
    });
  });
}

function check(p: Push, what: string, patterns: RegExp[]): void {
  const missing = patterns.filter((re) => !re.test(p.stderr));
  if (p.exitCode !== 0 || missing.length) {
    throw new Error(`${what}: exit ${p.exitCode}${missing.length ? `, missing ${missing.join(', ')}` : ''}\n${p.stderr}`);
  }
}

/**
 * Where a push's time went: the build's `----->` steps, each measured from its
 * line to the next remote line that starts a step (or to the end of the push).
 */
function phases(p: Push): Record<string, number> {
  const marks = p.lines.filter((l) => /^remote: -----> /.test(l.line));
  const out: Record<string, number> = {};
  const firstRemote = p.lines.find((l) => l.line.startsWith('remote:'));
  if (firstRemote) out['(before the first remote line)'] = firstRemote.at;
  marks.forEach((m, i) => {
    const next = marks[i + 1]?.at ?? p.lines.at(-1)?.at ?? p.ms;
    const name = m.line.replace(/^remote: -----> /, '').replace(/^Building \S+ \([0-9a-f]{7}\)$/, 'Building APP (SHA)').replace(/, v\d+$/, '').replace(/ \d+(\.\d+)? ?m?s\b.*$/, '');
    out[name] = (out[name] ?? 0) + (next - m.at);
  });
  const last = p.lines.at(-1);
  if (last) out['(after the last line)'] = p.ms - last.at;
  return out;
}

export async function deploy(n = Number(process.env.BENCH_N ?? 5)): Promise<Row[]> {
  return scoped(async (t) => {
    const d = await Daemon.start(t);
    const cold: Push[] = [];
    const coldFloor: Push[] = [];
    let warmDir = '';

    // Cold: a new app each time, so its build cache (and npm download cache) is empty.
    for (let i = 1; i <= n; i++) {
      const app = `cold-${i}`;
      const created = await d.api('POST', '/v1/apps', { name: app });
      if (created.status !== 201) throw new Error(`apps:create ${app}: ${created.text}`);
      const dir = await fixtureRepo(t, FIXTURE);
      const remote = await d.cli(['git:remote', '-a', app], { cwd: dir });
      if (remote.exitCode !== 0) throw new Error(`git:remote ${app}: ${remote.stderr}`);
      const bare = tempDir(t, 'bench-floor-');
      const init = await d.git(['init', '-q', '--bare', bare], dir);
      if (init.exitCode !== 0) throw new Error(`git init --bare: ${init.stderr}`);
      await d.git(['remote', 'add', 'floor', bare], dir);

      const f = await timedGit(d, ['push', 'floor', 'main'], dir);
      check(f, `floor push ${i}`, []);
      coldFloor.push(f);
      const p = await timedGit(d, ['push', 'slipway', 'main'], dir);
      check(p, `cold deploy of ${app}`, [/Launching\.\.\. done, v2/]);
      cold.push(p);
      warmDir = dir;
    }

    // Warm: the last cold app (deployed once) gets a one-line change, n times.
    const warm: Push[] = [];
    const warmFloor: Push[] = [];
    for (let i = 1; i <= n; i++) {
      appendFileSync(path.join(warmDir, 'index.js'), `// one-line change ${i}\n`);
      await commitAll(warmDir, `change ${i}`);
      const f = await timedGit(d, ['push', 'floor', 'main'], warmDir);
      check(f, `floor push (warm) ${i}`, []);
      warmFloor.push(f);
      const p = await timedGit(d, ['push', 'slipway', 'main'], warmDir);
      check(p, `warm redeploy ${i}`, [/Restoring node_modules from cache/, new RegExp(`Launching\\.\\.\\. done, v${i + 2}\\b`)]);
      warm.push(p);
    }
    const warmApp = `cold-${n}`;
    const buildLog = (await d.cli(['builds:output', '-a', warmApp])).stdout;

    const times = (xs: Push[]): number[] => xs.map((x) => x.ms);
    const row = (name: string, xs: Push[]): Row => {
      const v = times(xs);
      return { name, runs: v.length, median: ms(median(v)), min: ms(percentile(v, 0)), max: ms(percentile(v, 100)) };
    };
    const rows = [
      row('first deploy (cold cache)', cold),
      row('floor: git push to a bare repo (cold run)', coldFloor),
      row('redeploy after 1-line change (warm cache)', warm),
      row('floor: git push to a bare repo (warm run)', warmFloor),
    ];
    printTable(`git push → release ready, ${FIXTURE} (express + 2 deps), ${n} runs each`, rows);

    const warmOver = median(times(warm)) - median(times(warmFloor));
    const coldOver = median(times(cold)) - median(times(coldFloor));
    // Median of each phase over the warm pushes (phases are summed within one push).
    const warmPhases = warm.map(phases);
    const phaseNames = [...new Set(warmPhases.flatMap((p) => Object.keys(p)))];
    const phaseMedians = Object.fromEntries(phaseNames.map((k) => [k, median(warmPhases.map((p) => p[k] ?? 0))]));
    const coldPhases = cold.map(phases);
    const coldNames = [...new Set(coldPhases.flatMap((p) => Object.keys(p)))];
    const coldPhaseMedians = Object.fromEntries(coldNames.map((k) => [k, median(coldPhases.map((p) => p[k] ?? 0))]));

    const file = writeResults('deploy', {
      fixture: FIXTURE,
      n,
      cold: { median_ms: median(times(cold)), min_ms: percentile(times(cold), 0), max_ms: percentile(times(cold), 100), samples_ms: times(cold) },
      cold_floor: { median_ms: median(times(coldFloor)), samples_ms: times(coldFloor) },
      warm: { median_ms: median(times(warm)), min_ms: percentile(times(warm), 0), max_ms: percentile(times(warm), 100), samples_ms: times(warm) },
      warm_floor: { median_ms: median(times(warmFloor)), samples_ms: times(warmFloor) },
      cold_over_floor_ms: coldOver,
      warm_over_floor_ms: warmOver,
      goal_warm_over_floor_ms: GOAL_MS,
      warm_phase_median_ms: phaseMedians,
      cold_phase_median_ms: coldPhaseMedians,
      warm_push_stderr_timed: warm.map((p) => p.lines.map((l) => `${l.at.toFixed(0).padStart(6)} ms  ${l.line}`)),
      cold_push_stderr_timed: cold.map((p) => p.lines.map((l) => `${l.at.toFixed(0).padStart(6)} ms  ${l.line}`)),
      last_warm_build_log: buildLog,
    });
    const phaseText = Object.entries(phaseMedians).map(([k, v]) => `  ${ms(v).padStart(10)}  ${k}`).join('\n');
    process.stdout.write(
      `\nwarm redeploy − floor: ${warmOver.toFixed(0)} ms (goal ≤ ${GOAL_MS} ms${warmOver <= GOAL_MS ? ', met' : ', NOT met'})\n` +
        `cold deploy − floor: ${coldOver.toFixed(0)} ms\n` +
        `\nwarm redeploy, median time per build step (from the arrival of remote: lines):\n${phaseText}\n` +
        `wrote ${file}\n`,
    );
    return rows;
  });
}
