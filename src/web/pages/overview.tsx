import { useMemo, useState } from 'preact/hooks';
import { ApiError, get, request, type Ps, type Release, type Series } from '../api.js';
import { usePoll } from '../parts/poll.js';
import { useLogStream } from '../parts/stream.js';

/** Runs a change and reports its outcome in one status line per section. */
function useAction(after: () => void): { busy: boolean; message: string | undefined; failed: boolean; run: (what: string, fn: () => Promise<unknown>) => void } {
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  const run = (what: string, fn: () => Promise<unknown>): void => {
    setBusy(true);
    setMessage(`${what}…`);
    setFailed(false);
    fn().then(
      () => {
        setMessage(`${what}: done`);
        after();
      },
      (err: unknown) => {
        setFailed(true);
        setMessage(`${what} failed: ${err instanceof ApiError ? `${err.message}${err.hint ? ` (${err.hint})` : ''}` : String(err)}`);
      },
    ).finally(() => setBusy(false));
  };
  return { busy, message, failed, run };
}

function Status({ a }: { a: { message: string | undefined; failed: boolean } }) {
  return a.message ? <p role={a.failed ? 'alert' : 'status'} class={a.failed ? 'error' : 'ok'}>{a.message}</p> : null;
}

export function Overview({ app, onChange }: { app: string; onChange: () => void }) {
  return (
    <div class="overview">
      <Activity app={app} />
      <Processes app={app} />
      <Releases app={app} onChange={onChange} />
      <ConfigVars app={app} />
      <Domains app={app} />
      <Cron app={app} />
    </div>
  );
}

/** Builds, releases, scaling, crashes, autoscale decisions and guard rollbacks as they happen; a running build's log streams in. */
function Activity({ app }: { app: string }) {
  const platform = useLogStream(app, { source: 'platform', lines: '50' }, 300);
  const build = useLogStream(app, { source: 'build', lines: '50' }, 300);
  const all = useMemo(() => [...platform.entries, ...build.entries].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0)).slice(-300), [platform.entries, build.entries]);
  return (
    <section class="card wide" aria-labelledby="act-h">
      <h2 id="act-h">Activity</h2>
      <ol class="log feed" aria-label="Activity feed" aria-live="polite" tabIndex={0}>
        {all.map((e, i) => (
          <li key={`${e.time}-${i}`} class={`src-${e.source}`}>
            <time>{e.time.slice(0, 19).replace('T', ' ')}</time> <span class="who">{e.source}{e.ps ? `[${e.ps}]` : ''}</span> {e.line}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Processes({ app }: { app: string }) {
  const ps = usePoll(() => get<Ps>(`/v1/apps/${app}/ps`), 5_000, [app]);
  const usage = usePoll(() => get<Series>(`/v1/apps/${app}/metrics?range=1h`), 10_000, [app]);
  const act = useAction(ps.reload);
  const [want, setWant] = useState<Record<string, string>>({});
  const last = (vs: (number | null)[] | undefined): string => {
    for (let i = (vs?.length ?? 0) - 1; i >= 0; i--) if (vs?.[i] != null) return String(vs[i]);
    return '—';
  };
  const [asMin, setAsMin] = useState('');
  const [asMax, setAsMax] = useState('');
  return (
    <section class="card wide" aria-labelledby="ps-h">
      <h2 id="ps-h">Processes</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Instance</th>
            <th scope="col">State</th>
            <th scope="col">Release</th>
            <th scope="col">Restarts</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {(ps.data?.instances ?? []).map((i) => (
            <tr key={i.name}>
              <th scope="row">{i.name}</th>
              <td>
                <span class={`state ${i.state}`}>{i.state}</span>
              </td>
              <td>{i.release}</td>
              <td class="num">{i.restarts}</td>
              <td>{i.since.slice(0, 19).replace('T', ' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Formation</h3>
      <ul class="formation">
        {(ps.data?.formation ?? []).map((f) => (
          <li key={f.type}>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                const q = Number(want[f.type] ?? f.quantity);
                act.run(`Scaling ${f.type} to ${q}`, () => request('PATCH', `/v1/apps/${app}/formation`, { updates: [{ type: f.type, quantity: q }] }));
              }}
            >
              <label>
                {f.type} instances
                <input type="number" min={0} max={100} value={want[f.type] ?? String(f.quantity)} onInput={(e) => setWant({ ...want, [f.type]: (e.target as HTMLInputElement).value })} />
              </label>
              <button type="submit" disabled={act.busy}>
                Scale {f.type}
              </button>
              <span class="help">
                memory {last(usage.data?.memoryMb[f.type])} MB · CPU {last(usage.data?.cpuPct[f.type])} %
              </span>
            </form>
          </li>
        ))}
      </ul>
      <h3>Autoscale (web)</h3>
      {(ps.data?.autoscale ?? []).map((a) => (
        <p key={a.type}>
          {a.type}: {a.status}, {a.min}–{a.max} instances, {a.concurrency} in flight each{' '}
          <button type="button" disabled={act.busy} onClick={() => act.run(`Turning autoscale off for ${a.type}`, () => request('DELETE', `/v1/apps/${app}/autoscale/${a.type}`))}>
            Turn off
          </button>
        </p>
      ))}
      <form
        class="inline"
        onSubmit={(e) => {
          e.preventDefault();
          act.run('Setting autoscale for web', () => request('PUT', `/v1/apps/${app}/autoscale/web`, { min: Number(asMin), max: Number(asMax) }));
        }}
      >
        <label>
          Min
          <input type="number" min={0} required value={asMin} onInput={(e) => setAsMin((e.target as HTMLInputElement).value)} />
        </label>
        <label>
          Max
          <input type="number" min={1} required value={asMax} onInput={(e) => setAsMax((e.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" disabled={act.busy}>
          Autoscale web
        </button>
      </form>
      <Status a={act} />
    </section>
  );
}

/** The newest release is the current one (a rollback makes a new release, as on Heroku). */
function Releases({ app, onChange }: { app: string; onChange: () => void }) {
  const rels = usePoll(() => get<Release[]>(`/v1/apps/${app}/releases`), 10_000, [app]);
  const act = useAction(() => {
    rels.reload();
    onChange();
  });
  const [confirm, setConfirm] = useState<number | undefined>();
  const list = [...(rels.data ?? [])].sort((a, b) => b.version - a.version).slice(0, 15);
  const current = list[0]?.name;
  return (
    <section class="card" aria-labelledby="rel-h">
      <h2 id="rel-h">Releases</h2>
      <ul class="releases">
        {list.map((r) => (
          <li key={r.version}>
            <strong>{r.name}</strong> {r.description} <span class={`state ${r.status}`}>{r.status}</span> {r.name === current && <em>current</em>}
            {r.name !== current && r.status === 'succeeded' && confirm !== r.version && (
              <button type="button" disabled={act.busy} onClick={() => setConfirm(r.version)}>
                Roll back to {r.name}
              </button>
            )}
            {confirm === r.version && (
              <span class="confirm" role="group" aria-label={`Confirm rollback to ${r.name}`}>
                Roll back to {r.name}?{' '}
                <button
                  type="button"
                  class="danger"
                  autoFocus
                  onClick={() => {
                    setConfirm(undefined);
                    act.run(`Rolling back to ${r.name}`, () => request('POST', `/v1/apps/${app}/rollback`, { version: r.version }));
                  }}
                >
                  Yes, roll back
                </button>{' '}
                <button type="button" onClick={() => setConfirm(undefined)}>
                  Cancel
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      <Status a={act} />
    </section>
  );
}

/** Keys are listed; a value is fetched only when revealed, so no value is in the page until then. */
function ConfigVars({ app }: { app: string }) {
  const keys = usePoll(async () => Object.keys(await get<Record<string, string>>(`/v1/apps/${app}/config`)).sort(), 30_000, [app]);
  const [shown, setShown] = useState<Record<string, string>>({});
  const reveal = async (k: string): Promise<void> => {
    const all = await get<Record<string, string>>(`/v1/apps/${app}/config`);
    setShown({ ...shown, [k]: all[k] ?? '' });
  };
  return (
    <section class="card" aria-labelledby="cfg-h">
      <h2 id="cfg-h">Config vars</h2>
      {keys.data?.length === 0 && <p>None. `slipway config:set KEY=VALUE -a {app}`</p>}
      <dl class="config">
        {(keys.data ?? []).map((k) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              {k in shown ? <code>{shown[k]}</code> : <span aria-label="hidden value">••••••</span>}{' '}
              {k in shown ? (
                <button type="button" onClick={() => setShown(Object.fromEntries(Object.entries(shown).filter(([x]) => x !== k)))}>
                  Hide {k}
                </button>
              ) : (
                <button type="button" onClick={() => void reveal(k)}>
                  Reveal {k}
                </button>
              )}
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function Domains({ app }: { app: string }) {
  const d = usePoll(() => get<{ domains: string[] | { hostname: string }[] }>(`/v1/apps/${app}/domains`), 30_000, [app]);
  const names = (d.data?.domains ?? []).map((x) => (typeof x === 'string' ? x : x.hostname));
  return (
    <section class="card" aria-labelledby="dom-h">
      <h2 id="dom-h">Domains</h2>
      {names.length === 0 ? <p>No custom domains. `slipway domains:add HOST -a {app}`</p> : <ul>{names.map((n) => <li key={n}>{n}</li>)}</ul>}
    </section>
  );
}

interface CronJob {
  id: string;
  schedule: string;
  command: string;
  next_run: string | null;
  last_run: { name: string; started_at: string; exit_code: number | null } | null;
}
interface Run {
  name: string;
  kind: string;
  command: string;
  started_at: string;
  exit_code: number | null;
}

function Cron({ app }: { app: string }) {
  const jobs = usePoll(() => get<CronJob[]>(`/v1/apps/${app}/cron`), 30_000, [app]);
  const runs = usePoll(() => get<Run[]>(`/v1/apps/${app}/runs`), 30_000, [app]);
  return (
    <section class="card" aria-labelledby="cron-h">
      <h2 id="cron-h">Cron jobs and runs</h2>
      {(jobs.data ?? []).length === 0 ? (
        <p>No cron jobs (app.json `cron`).</p>
      ) : (
        <ul>
          {(jobs.data ?? []).map((j) => (
            <li key={j.id}>
              <code>{j.schedule}</code> {j.command} — next {j.next_run?.slice(0, 16).replace('T', ' ') ?? '—'}
              {j.last_run && `, last exit ${j.last_run.exit_code ?? '—'}`}
            </li>
          ))}
        </ul>
      )}
      <h3>Recent runs</h3>
      {(runs.data ?? []).length === 0 ? (
        <p>None yet.</p>
      ) : (
        <ul>
          {(runs.data ?? []).slice(0, 10).map((r) => (
            <li key={r.name}>
              {r.name} <code>{r.command}</code> {r.started_at.slice(0, 19).replace('T', ' ')} exit {r.exit_code ?? '—'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
