import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { status } from '@grpc/grpc-js';
import { leastRequest } from '../../src/traffic/balancers/least-request.js';
import { p2cEwma } from '../../src/traffic/balancers/p2c-ewma.js';
import { random } from '../../src/traffic/balancers/random.js';
import { ringHash } from '../../src/traffic/balancers/ring-hash.js';
import { weightedRandom } from '../../src/traffic/balancers/weighted-random.js';
import { wrrLvs } from '../../src/traffic/balancers/wrr-lvs.js';
import { wrrSmooth } from '../../src/traffic/balancers/wrr-smooth.js';
import { endpoints, pickArgs, policyOf, shares } from '../helpers/policies.js';

setupLab();

const N = 10_000;
const EQUAL = [1 / 3, 1 / 3, 1 / 3];
const ONE_TWO_THREE = [1 / 6, 2 / 6, 3 / 6];

function within2(actual: number[], expected: number[], what: string) {
  actual.forEach((a, i) =>
    assert.ok(Math.abs(a - expected[i]) <= 0.02, `${what}: endpoint ${i} got ${(a * 100).toFixed(2)}%, expected ${(expected[i] * 100).toFixed(2)}% ± 2`),
  );
}

describe('balancer distributions over 10,000 picks (within 2 points of the expected share)', () => {
  for (const [name, def, json, weighted] of [
    ['random', random, {}, false],
    ['weighted_random', weightedRandom, {}, true],
    ['wrr_smooth', wrrSmooth, {}, true],
    ['wrr_lvs', wrrLvs, {}, true],
    ['least_request', leastRequest, {}, false],
    ['p2c_ewma', p2cEwma, {}, false],
    ['lab_ring_hash', ringHash, { replicas: 20000, maxRingSize: 200000 }, true],
  ] as const) {
    const args =
      name === 'lab_ring_hash'
        ? (() => {
            let k = 0;
            return () => pickArgs({ 'x-lab-key': `user-${k++}` });
          })()
        : undefined;
    it(`${name}: equal weights`, () => within2(shares(policyOf(def, json), endpoints([1, 1, 1]), N, args), EQUAL, name));
    if (weighted) it(`${name}: weights 1:2:3`, () => within2(shares(policyOf(def, json), endpoints([1, 2, 3]), N, args), ONE_TWO_THREE, name));
  }
});

describe('wrr_smooth (nginx smooth weighted round robin)', () => {
  it('gives the exact nginx sequence for weights 5,1,1: a a b a c a a', () => {
    const p = policyOf(wrrSmooth);
    const ready = endpoints([5, 1, 1]);
    p.rebuild!(ready);
    const seq = Array.from({ length: 14 }, () => 'abc'[p.choose(ready, pickArgs())]).join(' ');
    assert.equal(seq, 'a a b a c a a a a b a c a a');
  });

  it("lowers a failing backend's effective weight and lets it recover by one per pick", () => {
    const p = policyOf(wrrSmooth);
    const ready = endpoints([5, 1, 1]);
    p.rebuild!(ready);
    p.onCallEnded!(ready[0], { code: status.UNAVAILABLE, latencyMs: 1 });
    assert.equal(ready[0].policy.effective, 0);
    const effective: number[] = [];
    for (let i = 0; i < 6; i++) {
      p.choose(ready, pickArgs());
      effective.push(ready[0].policy.effective);
    }
    assert.deepEqual(effective, [1, 2, 3, 4, 5, 5]);
  });
});

describe('wrr_lvs (LVS weighted round robin)', () => {
  it('steps by the gcd of the weights: 4,2,2 picks a a b c a a b c', () => {
    const p = policyOf(wrrLvs);
    const ready = endpoints([4, 2, 2]);
    p.rebuild!(ready);
    assert.equal(Array.from({ length: 8 }, () => 'abc'[p.choose(ready, pickArgs())]).join(' '), 'a a b c a a b c');
  });
});

describe('least_request and p2c_ewma move traffic away from a loaded backend', () => {
  it('least_request avoids the backend with the most calls in flight', () => {
    const ready = endpoints([1, 1, 1]);
    ready[0].inFlight = 50;
    const s = shares(policyOf(leastRequest), ready, N);
    // With two choices, the loaded one wins only when both samples are it: never (distinct samples).
    assert.equal(s[0], 0);
  });

  it('p2c_ewma sends less to a slow backend, but still probes it (forced pick)', () => {
    const p = policyOf(p2cEwma, { forcePickMs: 1 });
    const ready = endpoints([1, 1, 1]);
    for (let i = 0; i < 50; i++) {
      p.onCallEnded!(ready[0], { code: 0, latencyMs: 200 });
      p.onCallEnded!(ready[1], { code: 0, latencyMs: 1 });
      p.onCallEnded!(ready[2], { code: 0, latencyMs: 1 });
    }
    const s = shares(p, ready, 3000);
    assert.ok(s[0] < 0.2, `slow backend got ${(s[0] * 100).toFixed(1)}%`);
  });
});

describe('lab_ring_hash', () => {
  it('sends one key to one backend, every time', () => {
    const p = policyOf(ringHash);
    const ready = endpoints([1, 1, 1, 1]);
    p.rebuild!(ready);
    for (const key of ['alice', 'bob', 'carol']) {
      const first = p.choose(ready, pickArgs({ 'x-lab-key': key }));
      for (let i = 0; i < 20; i++) assert.equal(p.choose(ready, pickArgs({ 'x-lab-key': key })), first);
    }
  });

  it('hashOn source pins the whole client to one backend', () => {
    const p = policyOf(ringHash, { hashOn: 'source' });
    const ready = endpoints([1, 1, 1]);
    const s = shares(p, ready, 500);
    assert.deepEqual(
      s.filter((x) => x > 0),
      [1],
    );
  });

  it('refuses a bad config with the option named', () => {
    assert.throws(() => ringHash.parse({ hashOn: 'ip' }), /lab_ring_hash: hashOn must be "metadata" or "source", found "ip"/);
    assert.throws(() => ringHash.parse({ replicas: -1 }), /lab_ring_hash: replicas must be a number from 1 to 100000, found -1/);
  });
});
