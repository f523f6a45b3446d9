// deadline(): the abort signal the lab's waits and long polls end on. It fires at its time, or with
// an outer signal's reason; clear() stops it; and it fires after a garbage collection, which a
// timeout inside AbortSignal.any() may not in Node 20 (nodejs/node#57736).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { deadline } from '../../src/util/deadline.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const aborted = (signal: AbortSignal, ms: number) =>
  new Promise<unknown>((resolve, reject) => {
    if (signal.aborted) return resolve(signal.reason);
    const t = setTimeout(() => reject(new Error(`not aborted within ${ms} ms`)), ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve(signal.reason);
    });
  });

describe('deadline()', () => {
  it('aborts at its time with a TimeoutError', async () => {
    const t0 = Date.now();
    const reason = (await aborted(deadline(80).signal, 2000)) as DOMException;
    assert.equal(reason.name, 'TimeoutError');
    assert.ok(Date.now() - t0 >= 75);
  });

  it('aborts with an outer signal’s reason, at once if it is already aborted', async () => {
    const outer = new AbortController();
    const d = deadline(10_000, undefined, outer.signal);
    outer.abort(new Error('SIGTERM'));
    assert.equal(((await aborted(d.signal, 1000)) as Error).message, 'SIGTERM');
    assert.equal(deadline(10_000, outer.signal).signal.aborted, true);
  });

  it('clear() stops it: no abort after', async () => {
    const d = deadline(50);
    d.clear();
    await assert.rejects(aborted(d.signal, 300), /not aborted/);
  });

  it('fires after garbage collections, held only by its listener (200 at once)', async () => {
    const all = Array.from({ length: 200 }, () => {
      let fired!: () => void;
      const p = new Promise<void>((r) => (fired = r));
      deadline(100, new AbortController().signal).signal.addEventListener('abort', () => fired());
      return p;
    });
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    const within = await Promise.race([Promise.all(all).then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
    assert.equal(within, true, 'every deadline fired');
  });
});
