import assert from 'node:assert/strict';
import test from 'node:test';
import { MIN_SLOTS, planSlots, slotCommands, targetAt, type SlotTarget } from './slots.js';

const t = (id: string, port: number, state: SlotTarget['state'] = 'ready'): SlotTarget => ({ id, addr: '127.0.0.1', port, state });

test('a target keeps its slot while its id stays; new ones take the slot freed longest ago', () => {
  const a = planSlots(undefined, [t('web.1', 5001), t('web.2', 5002)]);
  assert.equal(a.slots.length, MIN_SLOTS);
  assert.deepEqual(a.slots.slice(0, 2).map((s) => s?.id), ['web.1', 'web.2']);
  const b = planSlots(a, [t('web.2', 5002), t('web.3', 5003)]);
  assert.equal(targetAt(b, 's2')?.id, 'web.2');
  assert.equal(targetAt(b, 's3')?.id, 'web.3', 'never-used slot before the one web.1 just left');
  assert.equal(targetAt(b, 's1'), undefined);
});

test('the pool grows in powers of two past MIN_SLOTS, keeping assignments', () => {
  const a = planSlots(undefined, [t('web.1', 5001)]);
  const many = Array.from({ length: 9 }, (_, i) => t(`web.${i + 1}`, 5001 + i));
  const b = planSlots(a, many);
  assert.equal(b.slots.length, 16);
  assert.equal(targetAt(b, 's1')?.id, 'web.1');
});

test('slot commands: ready first, drains second, removals last; untouched slots send nothing', () => {
  const a = planSlots(undefined, [t('web.1', 5001), t('web.2', 5002)]);
  const b = planSlots(a, [t('web.2', 5002, 'draining'), t('web.3', 5003)]);
  const b2 = planSlots(b, [t('web.3', 5003)]);
  assert.deepEqual(slotCommands('app_x', a, b), [
    'set server app_x/s3 addr 127.0.0.1 port 5003',
    'set server app_x/s3 state ready',
    'set server app_x/s2 state drain',
    'set server app_x/s1 state maint',
  ]);
  assert.deepEqual(slotCommands('app_x', b, b2), ['set server app_x/s2 state maint']);
  assert.deepEqual(slotCommands('app_x', b2, b2), []);
});

test('a full resync sets every slot', () => {
  const a = planSlots(undefined, [t('web.1', 5001)]);
  const cmds = slotCommands('app_x', undefined, a);
  assert.equal(cmds.length, 2 + MIN_SLOTS - 1);
  assert.equal(cmds[0], 'set server app_x/s1 addr 127.0.0.1 port 5001');
  assert.equal(cmds.at(-1), `set server app_x/s${MIN_SLOTS} state maint`);
});

test('the same id on a new port is re-addressed in place', () => {
  const a = planSlots(undefined, [t('web.1', 5001)]);
  const b = planSlots(a, [t('web.1', 6001)]);
  assert.deepEqual(slotCommands('app_x', a, b), ['set server app_x/s1 addr 127.0.0.1 port 6001', 'set server app_x/s1 state ready']);
});
