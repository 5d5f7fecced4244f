// The autoscaler's rule check and its per-tick decision (pure functions).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlipwayError } from '../lib/index.js';
import { checkRule, decide, type AutoscaleRule, type Sample } from './autoscale.js';

const rule: AutoscaleRule = { min: 1, max: 4, concurrency: 10, idleS: 60, windowS: 30 };
const T = 1_000_000;
/** One sample a second from `from` to `to` seconds before T. */
const samples = (from: number, to: number, inflight: number | ((s: number) => number)): Sample[] => {
  const out: Sample[] = [];
  for (let s = from; s >= to; s--) out.push({ at: T - s * 1000, inflight: typeof inflight === 'number' ? inflight : inflight(s), rate: 5 });
  return out;
};

test('checkRule refuses what makes no sense, naming the rule', () => {
  const bad = (r: Partial<AutoscaleRule>, type: string, re: RegExp): void => {
    assert.throws(() => checkRule(type, { ...rule, ...r }, 20), (e: unknown) => e instanceof SlipwayError && re.test(e.message), JSON.stringify(r));
  };
  bad({ min: 5, max: 2 }, 'web', /--min \(5\) must not be greater than --max \(2\)/);
  bad({ min: -1 }, 'web', /--min must be a whole number from 0 to 20/);
  bad({ max: 0 }, 'web', /--max must be a whole number from 1 to 20/);
  bad({ max: 21 }, 'web', /--max must be a whole number from 1 to 20/);
  bad({ concurrency: 0 }, 'web', /--concurrency must be a whole number from 1/);
  bad({ concurrency: 1.5 }, 'web', /--concurrency must be a whole number/);
  bad({ idleS: 3 }, 'web', /--idle must be from 10s to 7d \(got 3s\)/);
  bad({ windowS: 1 }, 'web', /--window must be from 5s to 1h/);
  bad({}, 'worker', /worker cannot autoscale/);
  assert.doesNotThrow(() => checkRule('web', { min: 0, max: 1, concurrency: 1, idleS: 10, windowS: 5 }, 20));
});

test('decide: out when in-flight per instance stays above the target, never past max', () => {
  // 35 in flight for 3 s on 1 instance, target 10 → 4
  const d = decide(rule, 1, samples(3, 0, 35), T, T, T - 10_000);
  assert.equal(d?.to, 4);
  assert.match(d?.why ?? '', /35 requests in flight on average over 3 s = 35 per instance, above the target of 10 \(5 req\/s\)/);
  assert.equal(decide(rule, 2, samples(3, 0, 100), T, T, T - 10_000)?.to, 4, 'capped at max');
  assert.equal(decide(rule, 4, samples(3, 0, 100), T, T, T - 10_000), undefined, 'at max: nothing');
  // one spike is not "staying above"
  assert.equal(decide(rule, 1, samples(3, 0, (s) => (s === 0 ? 80 : 2)), T, T, T - 10_000), undefined);
  // too few samples since the last change
  assert.equal(decide(rule, 1, samples(1, 0, 50), T, T, T - 1000), undefined);
});

test('decide: in only after a whole stable window below the target, never below min (or 1)', () => {
  const quiet = samples(31, 0, 3);
  assert.equal(decide(rule, 3, quiet, T, T, T - 40_000)?.to, 1);
  assert.match(decide(rule, 3, quiet, T, T, T - 40_000)?.why ?? '', /3 requests in flight on average over the last 30 s = 1 per instance, below the target of 10/);
  assert.equal(decide(rule, 3, samples(10, 0, 3), T, T, T - 10_000), undefined, 'window not over since the last change');
  assert.equal(decide({ ...rule, min: 2 }, 3, quiet, T, T, T - 40_000)?.to, 2, 'not below min');
  assert.equal(decide(rule, 3, samples(31, 0, 25), T, T, T - 40_000), undefined, '25 in flight still needs 3');
  assert.equal(decide(rule, 1, quiet, T, T, T - 40_000), undefined, 'at one: nothing (zero is for idle)');
});

test('decide: to zero after the idle time only when min is 0; bounds are restored', () => {
  const zero = { ...rule, min: 0 };
  assert.match(decide(zero, 2, samples(5, 0, 0), T, T - 61_000, T - 100_000)?.why ?? '', /no requests for 61 s \(idle limit 60 s\)/);
  assert.equal(decide(zero, 2, samples(5, 0, 0), T, T - 61_000, T - 100_000)?.to, 0);
  assert.equal(decide(zero, 1, samples(5, 0, 0), T, T - 30_000, T - 100_000), undefined, 'not idle long enough');
  assert.notEqual(decide(rule, 1, samples(5, 0, 0), T, T - 600_000, T - 700_000)?.to, 0, 'min 1 never goes to zero');
  assert.equal(decide(zero, 0, [], T, T - 600_000, T), undefined, 'at zero the activator wakes it');
  assert.equal(decide({ ...rule, min: 2 }, 1, [], T, T, T)?.to, 2);
  assert.equal(decide({ ...rule, max: 2 }, 3, [], T, T, T)?.to, 2);
});
