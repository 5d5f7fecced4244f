import { useEffect, useMemo, useState } from 'preact/hooks';
import { get, type AppJson, type Summary } from '../api.js';
import { Sparkline } from '../parts/sparkline.js';
import { usePoll } from '../parts/poll.js';

interface Row extends AppJson {
  s: Summary | undefined;
}

/** Every app at a glance, busiest first: state, release, instances, requests/min and 5xx share over the last hour. */
export function AppsPage() {
  const [filter, setFilter] = useState('');
  const apps = usePoll(() => get<AppJson[]>('/v1/apps'), 10_000);
  const summary = usePoll(() => get<{ apps: Summary[] }>('/v1/metrics/summary'), 10_000);
  useEffect(() => {
    document.title = 'Apps · Slipway';
  }, []);
  const rows = useMemo(() => {
    const by = new Map((summary.data?.apps ?? []).map((s) => [s.app, s]));
    const f = filter.trim().toLowerCase();
    return (apps.data ?? [])
      .map((a): Row => ({ ...a, s: by.get(a.name) }))
      .filter((r) => !f || r.name.includes(f))
      .sort((a, b) => (b.s?.requests ?? 0) - (a.s?.requests ?? 0) || a.name.localeCompare(b.name));
  }, [apps.data, summary.data, filter]);

  return (
    <section aria-labelledby="apps-h">
      <div class="bar">
        <h1 id="apps-h">Apps</h1>
        <label class="filter">
          <span>Filter apps</span>
          <input type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} placeholder="name" />
        </label>
      </div>
      {apps.error && <p role="alert" class="error">{apps.error}</p>}
      {apps.data && rows.length === 0 && <p>{filter ? 'No app matches the filter.' : 'No apps yet: `slipway apps:create NAME`, then `git push`.'}</p>}
      {rows.length > 0 && (
        <table class="apps">
          <thead>
            <tr>
              <th scope="col">App</th>
              <th scope="col">State</th>
              <th scope="col">Release</th>
              <th scope="col">Instances</th>
              <th scope="col">Requests/min (1 h)</th>
              <th scope="col">5xx share (1 h)</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} data-app={r.name}>
                <th scope="row">
                  <a href={`/apps/${r.name}`}>{r.name}</a>
                </th>
                <td>
                  <span class={`state ${r.s?.state ?? 'idle'}`}>{r.s?.state ?? '…'}</span>
                </td>
                <td>{r.release ?? '—'}</td>
                <td class="num">{r.s ? `${r.s.up}/${r.s.total}` : '…'}</td>
                <td>
                  {r.s && <Sparkline values={r.s.rpm} label={`${r.s.requests} requests in the last hour`} />}
                  <span class="num">{r.s ? Math.round(r.s.requests / 60) : ''}</span>
                </td>
                <td>
                  {r.s && <Sparkline values={r.s.errorShare} max={1} tone="bad" label={`${r.s.errors} of ${r.s.requests} requests answered 5xx in the last hour`} />}
                  <span class="num">{r.s && r.s.requests ? `${((r.s.errors / r.s.requests) * 100).toFixed(1)}%` : '0%'}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
