import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { buildRing, lookup } from '../../src/traffic/balancers/ring.js';
import { murmur3 } from '../../src/traffic/balancers/hash.js';

describe('lab_ring_hash key movement (property)', () => {
  it('removing one of N backends moves only the keys it owned, about 1/N of them', () => {
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 12 }), fc.nat(), fc.string({ maxLength: 8 }), (n, removedSeed, prefix) => {
        const keys = Array.from({ length: 2000 }, (_, i) => `${prefix}/${i}`);
        const all = Array.from({ length: n }, (_, i) => ({ address: `10.1.0.${i + 1}:50051`, weight: 1 }));
        const removed = removedSeed % n;
        const rest = all.filter((_, i) => i !== removed);
        const before = buildRing(all, 256, 65536);
        const after = buildRing(rest, 256, 65536);
        let moved = 0;
        const distinct = [...new Set(keys)];
        for (const key of distinct) {
          const h = murmur3(key);
          const a = all[lookup(before, h)].address;
          const b = rest[lookup(after, h)].address;
          if (a !== b) {
            // Only keys that lived on the removed backend may move.
            assert.equal(a, all[removed].address, `key ${key} moved from ${a} to ${b}`);
            moved++;
          }
        }
        const fraction = moved / distinct.length;
        assert.ok(Math.abs(fraction - 1 / n) < 0.35 / n + 0.03, `moved ${(fraction * 100).toFixed(1)}% with n=${n}`);
      }),
      { numRuns: 40 },
    );
  });
});
