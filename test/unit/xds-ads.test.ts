// The control plane's ADS, state of the world, on a fake stream: versions and nonces per type, ACKs
// and NACKs per client, stale nonces ignored, pushes only of what changed, no answer to a request
// for nothing (a grpc-js-xds client never reads it, and its stream would never end).
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { AdsServer } from '../../src/control-plane/ads.js';
import { ControlPlane } from '../../src/control-plane/control-plane.js';
import { DEFAULT_POLICY } from '../../src/wire/xds-policy.js';
import { toStruct } from '../../src/control-plane/struct.js';
import { CDS, EDS, LDS, RDS } from '../../src/control-plane/type-urls.js';

const ENDPOINTS = [1, 2, 3].map((n) => ({
  id: `echo-${n}`,
  hostAddress: `127.77.1.${n}:50051`,
  clusterAddress: `echo-${n}:50051`,
  zone: 'abc'[n - 1],
  weight: 1,
  healthy: true,
}));

class FakeCall extends EventEmitter {
  readonly sent: Array<{ version_info: string; nonce: string; type_url: string; resources: Array<Record<string, unknown>> }> = [];
  getPeer = () => 'ipv4:127.0.0.1:1234';
  write(r: (typeof this.sent)[number]) {
    this.sent.push(r);
    return true;
  }
  end() {}
  request(r: {
    type_url: string;
    resource_names: string[];
    version_info?: string;
    response_nonce?: string;
    error_detail?: { message: string } | null;
    node?: object | null;
  }) {
    this.emit('data', { version_info: '', response_nonce: '', error_detail: null, node: null, ...r });
  }
  last(type: string) {
    return [...this.sent].reverse().find((s) => s.type_url === type);
  }
}

function setup() {
  const plane = new ControlPlane('echo');
  plane.setEndpoints(ENDPOINTS);
  const ads = new AdsServer(
    plane.snapshot,
    () => 0,
    () => undefined,
  );
  plane.onChange(() => ads.push());
  const call = new FakeCall();
  ads.stream(call as never);
  return { plane, ads, call };
}

const node = (id: string, meta: Record<string, string> = {}) => ({ id, metadata: toStruct(meta) });

describe('xDS ADS (state of the world)', () => {
  it('answers a first request with the resources asked for, a version and a nonce; an ACK is recorded per type', () => {
    const { ads, call, plane } = setup();
    call.request({ type_url: LDS, resource_names: ['echo', 'nosuch'], node: node('n1') });
    const r = call.last(LDS)!;
    assert.equal(r.resources.length, 1, 'only what exists of what was asked');
    assert.equal(r.resources[0].name, 'echo');
    assert.equal(r.version_info, plane.snapshot().versions.LDS);
    call.request({ type_url: LDS, resource_names: ['echo', 'nosuch'], version_info: r.version_info, response_nonce: r.nonce });
    const st = ads.clients[0].types.get('LDS')!;
    assert.equal(ads.clients[0].nodeId, 'n1');
    assert.equal(st.ackedVersion, r.version_info);
    assert.equal(call.sent.length, 1, 'an ACK gets no answer');
  });

  it('a NACK records the refused version and its reason, and the same version is not sent again', () => {
    const { ads, call } = setup();
    call.request({ type_url: CDS, resource_names: ['echo'], node: node('n1') });
    const r = call.last(CDS)!;
    call.request({ type_url: CDS, resource_names: ['echo'], version_info: '', response_nonce: r.nonce, error_detail: { message: 'bad cluster' } });
    const st = ads.clients[0].types.get('CDS')!;
    assert.equal(st.nackedVersion, r.version_info);
    assert.equal(st.nackError, 'bad cluster');
    assert.equal(st.ackedVersion, '');
    ads.push();
    assert.equal(call.sent.length, 1, 'nothing new to push');
  });

  it('an answer to an older response (a stale nonce) says nothing about the new one', () => {
    const { ads, call, plane } = setup();
    call.request({ type_url: EDS, resource_names: ['echo'], node: node('n1') });
    const first = call.last(EDS)!;
    plane.setEndpoints(ENDPOINTS.slice(0, 2));
    const second = call.last(EDS)!;
    assert.notEqual(second.nonce, first.nonce);
    call.request({ type_url: EDS, resource_names: ['echo'], version_info: first.version_info, response_nonce: first.nonce });
    assert.equal(ads.clients[0].types.get('EDS')!.ackedVersion, '', 'the stale ACK is ignored');
    call.request({ type_url: EDS, resource_names: ['echo'], version_info: second.version_info, response_nonce: second.nonce });
    assert.equal(ads.clients[0].types.get('EDS')!.ackedVersion, second.version_info);
  });

  it('a push sends only the types whose version moved, to the clients subscribed to them', () => {
    const { call, plane } = setup();
    for (const t of [LDS, RDS, CDS, EDS]) call.request({ type_url: t, resource_names: [t === RDS ? 'echo-route' : 'echo'], node: node('n1') });
    const before = call.sent.length;
    const versions = { ...plane.snapshot().versions };
    plane.setPolicy({ ...DEFAULT_POLICY, localities: { a: { weight: 5 } } });
    const after = plane.snapshot().versions;
    assert.deepEqual(
      ['LDS', 'RDS', 'CDS', 'EDS'].filter((t) => after[t as 'LDS'] !== versions[t as 'LDS']),
      ['EDS'],
      'a locality weight changes the endpoints only',
    );
    assert.equal(call.sent.length, before + 1);
    assert.equal(call.sent[call.sent.length - 1].type_url, EDS);
  });

  it('a request for no names gets no answer', () => {
    const { call } = setup();
    call.request({ type_url: CDS, resource_names: ['echo'], node: node('n1') });
    const r = call.last(CDS)!;
    call.request({ type_url: CDS, resource_names: [], version_info: r.version_info, response_nonce: r.nonce });
    assert.equal(call.sent.length, 1);
  });

  it('a client whose node asks for cluster addresses gets the container names in EDS; others the loopback ones', () => {
    const { call } = setup();
    call.request({ type_url: EDS, resource_names: ['echo'], node: node('in-network', { LAB_ADDRESSES: 'cluster' }) });
    const other = setup();
    other.call.request({ type_url: EDS, resource_names: ['echo'], node: node('on-host') });
    const address = (c: FakeCall) =>
      (c.last(EDS)!.resources[0].endpoints as Array<{ lb_endpoints: Array<{ endpoint: { address: { socket_address: { address: string } } } }> }>)[0]
        .lb_endpoints[0].endpoint.address.socket_address.address;
    assert.equal(address(call), 'echo-1');
    assert.equal(address(other.call), '127.77.1.1');
  });

  it('a restarted control plane goes on above the versions it kept (a kill may have lost the last few), with the policy it kept', () => {
    const policy = { ...DEFAULT_POLICY, lb: 'ring_hash' as const };
    const plane = new ControlPlane('echo', { policy, counters: { LDS: 7, RDS: 7, CDS: 9, EDS: 40 } });
    const versions = plane.snapshot().versions;
    for (const [type, kept] of Object.entries({ LDS: 7, RDS: 7, CDS: 9, EDS: 40 }))
      assert.ok(Number(versions[type as keyof typeof versions]) > kept + 100, `${type}: v${versions[type as keyof typeof versions]} after v${kept} was kept`);
    assert.equal(plane.policy.lb, 'ring_hash');
  });
});
