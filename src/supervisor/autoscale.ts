// Autoscale rules and the pure decision the autoscaler takes each tick.
import { SlipwayError } from '../lib/index.js';

export interface AutoscaleRule {
  min: number;
  max: number;
  /** Target requests in flight per instance. */
  concurrency: number;
  /** With min 0: no request for this long → scale to zero. */
  idleS: number;
  /** Scale in only after load stayed below the target this long. */
  windowS: number;
}

export const AUTOSCALE_LIMITS = {
  /** Below this a scale-to-zero app would stop between two requests of one page load. */
  minIdleS: 10,
  maxIdleS: 7 * 86_400,
  minWindowS: 5,
  maxWindowS: 3600,
  maxConcurrency: 10_000,
};

/** What `ps:autoscale` uses for a flag not given (and no earlier rule). */
export const AUTOSCALE_DEFAULTS = { min: 1, concurrency: 10, idleS: 300, windowS: 60 };

/** Functions scale to zero unless their owner says otherwise. */
export const FUNCTION_AUTOSCALE: AutoscaleRule = { min: 0, max: 4, concurrency: 10, idleS: 300, windowS: 60 };

/** Load must stay above the target this long before instances are added. */
export const SCALE_UP_WINDOW_MS = 3000;

export function checkRule(type: string, r: AutoscaleRule, maxPerType: number): void {
  const bad = (msg: string, hint?: string): never => {
    throw new SlipwayError('E_VALIDATION', msg, { hint: hint ?? 'for example: slipway ps:autoscale web --min 0 --max 4 --concurrency 10 --idle 60s' });
  };
  if (type !== 'web') bad(`${type} cannot autoscale: only web processes receive requests, and the autoscaler follows the requests in flight`);
  const whole = (name: string, v: number, lo: number, hi: number, unit = ''): void => {
    if (!Number.isInteger(v) || v < lo || v > hi) bad(`--${name} must be a whole number from ${lo}${unit} to ${hi}${unit} (got ${v}${unit})`);
  };
  whole('min', r.min, 0, maxPerType);
  whole('max', r.max, 1, maxPerType);
  if (r.min > r.max) bad(`--min (${r.min}) must not be greater than --max (${r.max})`);
  whole('concurrency', r.concurrency, 1, AUTOSCALE_LIMITS.maxConcurrency);
  if (!Number.isInteger(r.idleS) || r.idleS < AUTOSCALE_LIMITS.minIdleS || r.idleS > AUTOSCALE_LIMITS.maxIdleS) {
    bad(`--idle must be from ${AUTOSCALE_LIMITS.minIdleS}s to 7d (got ${r.idleS}s): an app that stops between two requests only adds cold starts`, 'for example --idle 60s, --idle 5m or --idle 1h');
  }
  if (!Number.isInteger(r.windowS) || r.windowS < AUTOSCALE_LIMITS.minWindowS || r.windowS > AUTOSCALE_LIMITS.maxWindowS) {
    bad(`--window must be from ${AUTOSCALE_LIMITS.minWindowS}s to 1h (got ${r.windowS}s)`, 'for example --window 60s');
  }
}

export interface Sample {
  at: number;
  inflight: number;
  rate: number;
}

export interface Decision {
  to: number;
  why: string;
}

const round1 = (n: number): number => Math.round(n * 10) / 10;

/**
 * One tick's decision for one process type: `n` instances now, `samples`
 * taken since the last change (oldest first), `lastActive` when a request
 * was last seen. Undefined: nothing to do.
 */
export function decide(rule: AutoscaleRule, n: number, samples: Sample[], now: number, lastActive: number, lastChange: number): Decision | undefined {
  if (n === 0) return rule.min > 0 ? { to: rule.min, why: `below the minimum of ${rule.min}` } : undefined; // at zero the activator wakes it
  if (n < rule.min) return { to: rule.min, why: `below the minimum of ${rule.min}` };
  if (n > rule.max) return { to: rule.max, why: `above the maximum of ${rule.max}` };
  const idleFor = now - lastActive;
  if (rule.min === 0 && idleFor >= rule.idleS * 1000) return { to: 0, why: `no requests for ${Math.round(idleFor / 1000)} s (idle limit ${rule.idleS} s)` };
  const avg = (from: number): { inflight: number; rate: number; count: number } => {
    const s = samples.filter((x) => x.at >= from);
    return { inflight: s.reduce((t, x) => t + x.inflight, 0) / (s.length || 1), rate: s.reduce((t, x) => t + x.rate, 0) / (s.length || 1), count: s.length };
  };
  // Up: every sample of the last few seconds is above the target per instance (a lone spike is not load); sized by their average.
  const recent = avg(now - SCALE_UP_WINDOW_MS);
  const covered = samples.length > 0 && (samples[0] as Sample).at <= now - SCALE_UP_WINDOW_MS + 1000;
  const stayed = samples.filter((x) => x.at >= now - SCALE_UP_WINDOW_MS).every((x) => x.inflight / n > rule.concurrency);
  if (covered && recent.count >= 2 && stayed && n < rule.max) {
    const to = Math.min(rule.max, Math.ceil(recent.inflight / rule.concurrency));
    return { to, why: `${round1(recent.inflight)} requests in flight on average over ${SCALE_UP_WINDOW_MS / 1000} s = ${round1(recent.inflight / n)} per instance, above the target of ${rule.concurrency} (${round1(recent.rate)} req/s)` };
  }
  // Down: a whole stable window since the last change with fewer needed.
  const windowMs = rule.windowS * 1000;
  if (now - lastChange < windowMs || samples.length === 0 || (samples[0] as Sample).at > now - windowMs + 1000) return undefined;
  const w = avg(now - windowMs);
  const to = Math.max(rule.min, 1, Math.ceil(w.inflight / rule.concurrency));
  if (to >= n) return undefined;
  return { to, why: `${round1(w.inflight)} requests in flight on average over the last ${rule.windowS} s = ${round1(w.inflight / n)} per instance, below the target of ${rule.concurrency} (${round1(w.rate)} req/s)` };
}
