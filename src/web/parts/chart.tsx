import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Line {
  label: string;
  values: (number | null)[];
  color: string;
}

const PALETTE = ['#2563eb', '#d97706', '#059669', '#dc2626', '#7c3aed', '#0891b2', '#be185d'];
export const color = (i: number): string => PALETTE[i % PALETTE.length] as string;

/** Deploys drawn as dashed vertical lines across the plot. */
function deployMarks(deploys: number[]): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const ctx = u.ctx;
        ctx.save();
        ctx.strokeStyle = '#6b7280';
        ctx.setLineDash([4, 4]);
        ctx.lineWidth = 1;
        for (const t of deploys) {
          const x = Math.round(u.valToPos(t, 'x', true));
          if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
          ctx.beginPath();
          ctx.moveTo(x, u.bbox.top);
          ctx.lineTo(x, u.bbox.top + u.bbox.height);
          ctx.stroke();
        }
        ctx.restore();
      },
    },
  };
}

/** One uPlot chart; the figure's caption names it for screen readers, and the last values are given as text. */
export function Chart({ title, unit, t, lines, deploys }: { title: string; unit: string; t: number[]; lines: Line[]; deploys: number[] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: Math.max(280, el.clientWidth || 480),
        height: 180,
        series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.color, width: 1.5, spanGaps: false, value: (_u: uPlot, v: number | null) => (v == null ? '—' : `${v} ${unit}`) }))],
        axes: [{}, { size: 56 }],
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        plugins: [deployMarks(deploys)],
        legend: { live: true },
      },
      [t, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(280, el.clientWidth), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [t, lines, deploys, unit]);
  const lastOf = (vs: (number | null)[]): number | null => {
    for (let i = vs.length - 1; i >= 0; i--) if (vs[i] != null) return vs[i] as number;
    return null;
  };
  return (
    <figure class="chart" data-chart={title}>
      <figcaption>
        {title} <span class="unit">({unit})</span>
      </figcaption>
      <div ref={box} />
      <p class="sr-only">
        Latest: {lines.map((l) => `${l.label} ${lastOf(l.values) ?? 'no data'}`).join(', ')}
      </p>
    </figure>
  );
}
