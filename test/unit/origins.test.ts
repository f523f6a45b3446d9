// Every balancer and resolver says where it comes from (grpc-js, grpc-js-xds, or the lab's own), and
// no lab balancer takes a name grpc-js-xds registers: the two would replace each other for the whole
// process, whichever registered last (the lab's ring hash was once named ring_hash, and became
// grpc-js-xds's the moment an xds: target was dialled).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { experimental } from '@grpc/grpc-js';
import { setupLab } from '../../src/setup.js';
import { balancerOrigin, GRPC_JS_XDS_BALANCERS, knownBalancers, knownSchemes, labBalancers, schemeOrigin, serviceConfigFrom } from '../../src/traffic/index.js';

setupLab();

describe('where each balancer and resolver comes from', () => {
  it('grpc-js-xds registers exactly the names the lab keeps clear of, and none is a lab balancer', () => {
    // What its files register (each load-balancer file: const TYPE_NAME = '...'; registerLoadBalancerType(TYPE_NAME, ...)).
    const require = createRequire(import.meta.url);
    const dir = path.dirname(require.resolve('@grpc/grpc-js-xds/build/src/index.js'));
    const names = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(path.join(dir, f), 'utf8'))
      .filter((text) => /registerLoadBalancerType\(TYPE_NAME/.test(text))
      .map((text) => /const TYPE_NAME = '([^']+)'/.exec(text)![1]);
    assert.deepEqual([...names].sort(), [...GRPC_JS_XDS_BALANCERS].sort());
    assert.deepEqual(
      [...labBalancers().keys()].filter((n) => names.includes(n)),
      [],
    );
    // Registered, they replace nothing of the lab's.
    (require('@grpc/grpc-js-xds') as { register(): void }).register();
    for (const n of names) assert.ok(experimental.isLoadBalancerNameRegistered(n), n);
    for (const n of labBalancers().keys()) assert.equal(experimental.parseLoadBalancingConfig({ [n]: {} }).getLoadBalancerName(), n);
  });

  it('every balancer --lb takes has an origin: grpc-js for its four, the lab for the rest', () => {
    for (const n of knownBalancers()) assert.ok(balancerOrigin(n), n);
    assert.deepEqual(
      knownBalancers().filter((n) => balancerOrigin(n) === 'grpc-js'),
      ['pick_first', 'round_robin', 'weighted_round_robin', 'outlier_detection'],
    );
    for (const n of ['least_request', 'p2c_ewma', 'wrr_smooth', 'wrr_lvs', 'health_checked', 'lab_ring_hash']) assert.equal(balancerOrigin(n), 'lab', n);
    assert.equal(balancerOrigin('ring_hash'), 'grpc-js-xds');
  });

  it('every target scheme has an origin: the lab’s etcd and consul, grpc-js-xds’s xds, grpc-js’s the rest', () => {
    for (const s of knownSchemes()) assert.ok(schemeOrigin(s), s);
    assert.equal(schemeOrigin('etcd'), 'lab');
    assert.equal(schemeOrigin('consul'), 'lab');
    assert.equal(schemeOrigin('xds'), 'grpc-js-xds');
    assert.equal(schemeOrigin('dns'), 'grpc-js');
    assert.equal(schemeOrigin(undefined), 'grpc-js', 'no scheme: grpc-js resolves it as dns');
  });

  it('refuses what grpc-js would take and do nothing with, saying so: ring_hash outside xDS, healthCheckConfig, a method config’s waitForReady', () => {
    for (const lb of ['ring_hash', { ring_hash: {} }, { loadBalancingConfig: [{ outlier_detection: { child_policy: [{ ring_hash: {} }] } }] }])
      assert.throws(
        () => serviceConfigFrom(lb),
        (err: Error & { hint?: string }) =>
          /ring_hash is grpc-js-xds's, which hashes only on an xDS route's hash policy/.test(err.message) && /lab_ring_hash/.test(err.hint ?? ''),
        JSON.stringify(lb),
      );
    assert.throws(
      () => serviceConfigFrom({ loadBalancingConfig: [{ round_robin: {} }], healthCheckConfig: { serviceName: '' } }),
      /healthCheckConfig does nothing in grpc-js \(it does not implement client-side health checking, gRFC A17/,
    );
    // grpc-js 1.14 parses a method config's waitForReady and never applies it (only a call's own option).
    assert.throws(
      () =>
        serviceConfigFrom({
          loadBalancingConfig: [{ pick_first: {} }],
          methodConfig: [{ name: [{ service: 'grpc.examples.echo.Echo' }], waitForReady: true }],
        }),
      (err: Error & { hint?: string }) =>
        /waitForReady in a method config does nothing in grpc-js/.test(err.message) && /waitForReady: true/.test(err.hint ?? ''),
    );
    assert.deepEqual(serviceConfigFrom('lab_ring_hash'), { loadBalancingConfig: [{ lab_ring_hash: {} }] });
  });
});
