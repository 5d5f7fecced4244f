/** A tiny line chart in SVG (one per app row: 60 points; uPlot would be heavy for a hundred of them). */
export function Sparkline({ values, label, max, tone = 'normal' }: { values: number[]; label: string; max?: number; tone?: 'normal' | 'bad' }) {
  const w = 120;
  const h = 24;
  const top = Math.max(max ?? 0, ...values, 1e-9);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const pts = values.map((v, i) => `${(i * step).toFixed(1)},${(h - 1 - (v / top) * (h - 2)).toFixed(1)}`).join(' ');
  return (
    <svg class={`spark ${tone}`} width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <polyline points={pts} fill="none" stroke-width="1.5" />
    </svg>
  );
}
