// A point is a bag of sums, so merging two is addition: a 1-min point is the
// sum of its 10-s points, and percentiles come from the merged histogram.
// Gauges (instances, memory) are summed per sample with the sample count `k`;
// their value over a point is the sum divided by k.

/** Upper bounds of the latency buckets in ms; the last bucket is everything slower. */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000] as const;

export interface TypeFigures {
  /** Instances of this type that were up, summed over samples. */
  up: number;
  /** All instances of this type (any state), summed over samples. */
  n: number;
  /** Resident memory in bytes, summed over samples. */
  mem: number;
  /** CPU time used during the point, ms. */
  cpu: number;
}

export interface Point {
  /** Samples merged into this point. */
  k: number;
  /** Requests. */
  n: number;
  /** Requests by status class: 1xx..5xx. */
  c: [number, number, number, number, number];
  /** Requests per latency bucket (LATENCY_BUCKETS_MS, then the overflow bucket). */
  h: number[];
  /** Service time summed, ms. */
  ms: number;
  /** Per process type. */
  ty: Record<string, TypeFigures>;
  /** Restarts seen during the point. */
  r: number;
  /** Deploys (releases that started running) during the point. */
  d: number;
}

export function emptyPoint(): Point {
  return { k: 0, n: 0, c: [0, 0, 0, 0, 0], h: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), ms: 0, ty: {}, r: 0, d: 0 };
}

export function bucketOf(ms: number): number {
  const i = LATENCY_BUCKETS_MS.findIndex((b) => ms <= b);
  return i < 0 ? LATENCY_BUCKETS_MS.length : i;
}

/** Adds `b` into `a` (mutates and returns a). */
export function addInto(a: Point, b: Point): Point {
  a.k += b.k;
  a.n += b.n;
  a.ms += b.ms;
  a.r += b.r;
  a.d += b.d;
  for (let i = 0; i < 5; i++) a.c[i] = (a.c[i] ?? 0) + (b.c[i] ?? 0);
  for (let i = 0; i < a.h.length; i++) a.h[i] = (a.h[i] ?? 0) + (b.h[i] ?? 0);
  for (const [type, f] of Object.entries(b.ty)) {
    const t = (a.ty[type] ??= { up: 0, n: 0, mem: 0, cpu: 0 });
    t.up += f.up;
    t.n += f.n;
    t.mem += f.mem;
    t.cpu += f.cpu;
  }
  return a;
}

/**
 * A stored point read back: anything malformed becomes an empty point
 * (a torn or foreign row must not break a chart), missing fields are zero.
 */
export function parsePoint(json: string): Point {
  let o: unknown;
  try {
    o = JSON.parse(json);
  } catch (err) {
    if (err instanceof SyntaxError) return emptyPoint();
    throw err;
  }
  const p = emptyPoint();
  if (typeof o !== 'object' || o === null) return p;
  const r = o as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  p.k = num(r.k);
  p.n = num(r.n);
  p.ms = num(r.ms);
  p.r = num(r.r);
  p.d = num(r.d);
  if (Array.isArray(r.c)) for (let i = 0; i < 5; i++) p.c[i] = num(r.c[i]);
  if (Array.isArray(r.h)) for (let i = 0; i < p.h.length; i++) p.h[i] = num(r.h[i]);
  if (typeof r.ty === 'object' && r.ty !== null) {
    for (const [type, f] of Object.entries(r.ty as Record<string, Record<string, unknown>>)) {
      if (typeof f === 'object' && f !== null) p.ty[type] = { up: num(f.up), n: num(f.n), mem: num(f.mem), cpu: num(f.cpu) };
    }
  }
  return p;
}

/** The q-quantile (0..1) of a histogram in ms, interpolated inside its bucket; undefined with no requests. */
export function quantileMs(h: readonly number[], q: number): number | undefined {
  const total = h.reduce((s, v) => s + v, 0);
  if (total === 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    const c = h[i] ?? 0;
    if (c > 0 && seen + c >= rank) {
      const lo = i === 0 ? 0 : (LATENCY_BUCKETS_MS[i - 1] as number);
      // The overflow bucket has no upper bound: report its lower bound (at least this slow).
      if (i >= LATENCY_BUCKETS_MS.length) return lo;
      const hi = LATENCY_BUCKETS_MS[i] as number;
      return lo + ((hi - lo) * (rank - seen)) / c;
    }
    seen += c;
  }
  return LATENCY_BUCKETS_MS.at(-1);
}
