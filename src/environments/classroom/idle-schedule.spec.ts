import { describe, expect, it } from 'vitest';
import { idleAction, idleRoundEveryMs, type IdleFacts } from './idle-schedule.ts';

const min = 60_000;
const facts = (idleMs: number, more: Partial<IdleFacts> = {}): IdleFacts => ({
  now: 100 * min, lastActive: 100 * min - idleMs, present: false, frozen: false, freezeMs: 5 * min, reclaimMs: 120 * min, ...more,
});

describe('the idle schedule', () => {
  it('keeps an environment used within the freeze time', () => {
    expect(idleAction(facts(0))).toBe('keep');
    expect(idleAction(facts(5 * min - 1))).toBe('keep');
  });

  it('freezes one idle for the freeze time, once', () => {
    expect(idleAction(facts(5 * min))).toBe('freeze');
    expect(idleAction(facts(30 * min))).toBe('freeze');
    expect(idleAction(facts(30 * min, { frozen: true }))).toBe('keep');
  });

  it('never touches one whose learner has a page open, however long idle', () => {
    expect(idleAction(facts(30 * min, { present: true }))).toBe('keep');
    expect(idleAction(facts(500 * min, { present: true }))).toBe('keep');
  });

  it('reclaims one idle for the reclaim time, frozen or not', () => {
    expect(idleAction(facts(120 * min))).toBe('reclaim');
    expect(idleAction(facts(120 * min, { frozen: true }))).toBe('reclaim');
    expect(idleAction(facts(120 * min - 1, { frozen: true }))).toBe('keep');
  });

  it('does neither when switched off (0)', () => {
    expect(idleAction(facts(500 * min, { freezeMs: 0, reclaimMs: 0 }))).toBe('keep');
    expect(idleAction(facts(500 * min, { freezeMs: 0 }))).toBe('reclaim');
    expect(idleAction(facts(10 * min, { reclaimMs: 0 }))).toBe('freeze');
  });

  it('runs its round at a quarter of the shortest wait, between 1 s and a minute', () => {
    expect(idleRoundEveryMs(5 * min, 120 * min)).toBe(min);
    expect(idleRoundEveryMs(2 * min, 0)).toBe(30_000);
    expect(idleRoundEveryMs(2000, 0)).toBe(1000);
    expect(idleRoundEveryMs(0, 0)).toBeUndefined();
  });
});
