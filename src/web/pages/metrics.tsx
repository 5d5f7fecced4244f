import { useMemo, useState } from 'preact/hooks';
import { get, type Series } from '../api.js';
import { Chart, color, type Line } from '../parts/chart.js';
import { usePoll } from '../parts/poll.js';

const RANGES = ['1h', '24h', '7d'] as const;
const STATUS_COLORS: Record<string, string> = { '1xx': '#6b7280', '2xx': '#059669', '3xx': '#2563eb', '4xx': '#d97706', '5xx': '#dc2626' };

const perType = (rec: Record<string, (number | null)[]>): Line[] => Object.entries(rec).map(([type, values], i) => ({ label: type, values, color: color(i) }));

/** Requests, latency, status classes, memory, CPU and instances over 1 h / 24 h / 7 d, deploys marked. */
export function MetricsTab({ app }: { app: string }) {
  const [range, setRange] = useState<(typeof RANGES)[number]>('1h');
  const s = usePoll(() => get<Series>(`/v1/apps/${app}/metrics?range=${range}`), 10_000, [app, range]);
  const charts = useMemo(() => {
    const d = s.data;
    if (!d) return [];
    return [
      { title: 'Requests', unit: 'req/s', lines: [{ label: 'requests', values: d.rps, color: color(0) }] },
      { title: 'Latency', unit: 'ms', lines: [{ label: 'p50', values: d.p50, color: color(0) }, { label: 'p95', values: d.p95, color: color(1) }, { label: 'p99', values: d.p99, color: color(3) }] },
      { title: 'Status classes', unit: 'req/s', lines: Object.entries(d.status).map(([cls, values]) => ({ label: cls, values, color: STATUS_COLORS[cls] ?? '#6b7280' })) },
      { title: 'Instances', unit: 'instances', lines: perType(d.instances) },
      { title: 'Memory', unit: 'MB', lines: perType(d.memoryMb) },
      { title: 'CPU', unit: '%', lines: perType(d.cpuPct) },
    ];
  }, [s.data]);
  return (
    <div>
      <div class="ranges" role="group" aria-label="Time range">
        {RANGES.map((r) => (
          <button key={r} type="button" aria-pressed={range === r} onClick={() => setRange(r)}>
            {r}
          </button>
        ))}
        <span class="help">Dashed lines mark deploys.</span>
      </div>
      {s.error && <p role="alert" class="error">{s.error}</p>}
      <div class="charts">
        {s.data && charts.map((c) => <Chart key={c.title} title={c.title} unit={c.unit} t={s.data?.t ?? []} lines={c.lines} deploys={s.data?.deploys ?? []} />)}
      </div>
    </div>
  );
}
