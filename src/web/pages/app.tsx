import { useEffect } from 'preact/hooks';
import { get, type AppJson } from '../api.js';
import { usePoll } from '../parts/poll.js';
import { LogsTab } from './logs.js';
import { MetricsTab } from './metrics.js';
import { Overview } from './overview.js';

const TABS = [
  ['overview', 'Overview', ''],
  ['metrics', 'Metrics', '/metrics'],
  ['logs', 'Logs', '/logs'],
] as const;

export function AppPage({ app, tab }: { app: string; tab: 'overview' | 'metrics' | 'logs' }) {
  const info = usePoll(() => get<AppJson>(`/v1/apps/${app}`), 15_000, [app]);
  useEffect(() => {
    document.title = `${app} · Slipway`;
  }, [app]);
  if (info.error) return <p role="alert" class="error">{info.error}</p>;
  return (
    <section aria-labelledby="app-h">
      <div class="bar">
        <h1 id="app-h">{app}</h1>
        {info.data && (
          <a class="ext" href={info.data.web_url} rel="noreferrer" target="_blank">
            {info.data.web_url}
          </a>
        )}
      </div>
      <nav class="tabs" aria-label="App sections">
        {TABS.map(([id, label, suffix]) => (
          <a key={id} href={`/apps/${app}${suffix}`} aria-current={tab === id ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      {tab === 'overview' && <Overview app={app} onChange={info.reload} />}
      {tab === 'metrics' && <MetricsTab app={app} />}
      {tab === 'logs' && <LogsTab app={app} />}
    </section>
  );
}
