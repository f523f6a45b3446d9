import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connectivityState as ConnectivityState } from '@grpc/grpc-js';
import fc from 'fast-check';
import { ENDPOINT_ATTRIBUTES } from '../../src/traffic/resolvers/endpoint-attributes.js';
import { FakeCluster } from '../helpers/fake-subchannels.js';

setupLab();

const POLICIES = ['random', 'weighted_random', 'wrr_smooth', 'wrr_lvs', 'least_request', 'p2c_ewma', 'lab_ring_hash'];
const STATES = [ConnectivityState.READY, ConnectivityState.TRANSIENT_FAILURE, ConnectivityState.CONNECTING, ConnectivityState.IDLE];

describe('balancers on a fake subchannel set (property)', () => {
  for (const policy of POLICIES) {
    it(`${policy} never picks a backend that is not READY while one is`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.constantFrom(...STATES), { minLength: 1, maxLength: 12 }),
          fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 12, maxLength: 12 }),
          (states, weights) => {
            fc.pre(states.includes(ConnectivityState.READY));
            const cluster = new FakeCluster();
            const addresses = states.map((_, i) => `10.2.0.${i + 1}:50051`);
            const attrs = new Map(addresses.map((a, i) => [a, { id: a, weight: weights[i], zone: '', metadata: {} }]));
            cluster.resolve(addresses, { [policy]: {} }, { [ENDPOINT_ATTRIBUTES]: attrs } as never);
            states.forEach((s, i) => {
              const a = addresses[i];
              if (s === ConnectivityState.READY) cluster.set(a, ConnectivityState.READY);
              else if (s === ConnectivityState.TRANSIENT_FAILURE) cluster.set(a, ConnectivityState.TRANSIENT_FAILURE);
            });
            assert.equal(cluster.state, ConnectivityState.READY);
            const ready = new Set(addresses.filter((_, i) => states[i] === ConnectivityState.READY));
            for (let i = 0; i < 100; i++) {
              const picked = cluster.pick({ 'x-lab-key': `k${i}` });
              assert.ok(ready.has(picked), `${policy} picked ${picked}, READY: ${[...ready].join(', ')}`);
            }
            cluster.handler.destroy();
          },
        ),
        { numRuns: 60 },
      );
    });
  }

  it('reports TRANSIENT_FAILURE and fails picks when every backend is down, READY again when one returns', () => {
    const cluster = new FakeCluster();
    cluster.resolve(['10.3.0.1:1', '10.3.0.2:1'], { random: {} });
    cluster.set('10.3.0.1:1', ConnectivityState.TRANSIENT_FAILURE);
    cluster.set('10.3.0.2:1', ConnectivityState.TRANSIENT_FAILURE);
    assert.equal(cluster.state, ConnectivityState.TRANSIENT_FAILURE);
    assert.equal(cluster.pick(), 'TRANSIENT_FAILURE');
    cluster.set('10.3.0.2:1', ConnectivityState.READY);
    assert.equal(cluster.state, ConnectivityState.READY);
    assert.equal(cluster.pick(), '10.3.0.2:1');
  });
});
