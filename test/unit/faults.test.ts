import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { FaultState } from '../../src/echo/faults.js';

describe('echo fault knobs', () => {
  it('fails the first N of every M calls (seed 000: 2 of every 3)', () => {
    const f = new FaultState();
    f.set({ failN: 2, failOfM: 3 });
    const seq = Array.from({ length: 9 }, () => f.failure());
    const U = status.UNAVAILABLE;
    assert.deepEqual(seq, [U, U, undefined, U, U, undefined, U, U, undefined]);
  });

  it('uses the asked status code and restarts the cycle when set again', () => {
    const f = new FaultState();
    f.set({ failN: 1, failOfM: 2, errorCode: status.RESOURCE_EXHAUSTED });
    assert.equal(f.failure(), status.RESOURCE_EXHAUSTED);
    f.set({ failN: 1, failOfM: 2, errorCode: status.RESOURCE_EXHAUSTED });
    assert.equal(f.failure(), status.RESOURCE_EXHAUSTED);
    assert.equal(f.failure(), undefined);
  });

  it('fails about error_rate of calls', () => {
    const f = new FaultState();
    f.set({ errorRate: 0.3 });
    let failed = 0;
    for (let i = 0; i < 10_000; i++) if (f.failure() !== undefined) failed++;
    assert.ok(failed > 2700 && failed < 3300, `${failed} of 10000 failed`);
  });

  it('adds latency within [latency, latency + jitter] and nothing when cleared', () => {
    const f = new FaultState();
    f.set({ latencyMs: 50, jitterMs: 10 });
    for (let i = 0; i < 100; i++) {
      const d = f.delayMs();
      assert.ok(d >= 50 && d <= 60, String(d));
    }
    f.set({});
    assert.equal(f.delayMs(), 0);
    assert.equal(f.failure(), undefined);
  });
});
