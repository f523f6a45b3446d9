// grpc's xDS interop test cases (grpc/grpc doc/xds-test-descriptions.md), played by a driver of the
// lab's own against the sandbox (project labinterop on 127.97.x.y): the echo servers as grpc's test
// servers (TestService, `hostname`, rpc-behavior), the lab's control plane as the load balancer, and
// the lab's xDS test client (`lab xds test-client`, grpc's flags) asked through
// LoadBalancerStatsService and configured through XdsUpdateClientConfigureService, as grpc's
// drivers ask theirs. Each case asserts what the descriptions assert; the MIGs are subsets of the
// echo servers, in the zones each case describes. Circuit breaking runs with limits of 50 and 100
// (80 after the update) where the description says 500 and 1000 (800): the same mechanism, in
// seconds instead of minutes. Last: the control plane SIGKILLed and started after a push keeps it.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, loadPackageDefinition, status, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { execa, type ResultPromise } from 'execa';
import { down, getRuntime, LABEL, projectSelector } from '../../src/sandbox/index.js';
import { testingProtos } from '../../src/grpc/index.js';
import type { LoadBalancerStatsResponse__Output } from '../../src/grpc/generated/grpc/testing/LoadBalancerStatsResponse.js';
import type { LoadBalancerAccumulatedStatsResponse__Output } from '../../src/grpc/generated/grpc/testing/LoadBalancerAccumulatedStatsResponse.js';
import { DEFAULT_POLICY, type XdsPolicy } from '../../src/wire/xds-policy.js';
import { XdsControl } from '../../src/xds/index.js';
import { eventually, lab, leftovers, ROOT, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labinterop';
const XDS = '127.97.0.6:18000';
const STATS_PORT = 50197;
const UNARY = '/grpc.testing.TestService/UnaryCall';
const EMPTY = '/grpc.testing.TestService/EmptyCall';

type Stats = LoadBalancerStatsResponse__Output;
type Acc = LoadBalancerAccumulatedStatsResponse__Output;

describe("grpc's xDS interop test cases, against the sandbox, with the lab's test client", () => {
  const rt = getRuntime();
  // Four backends in one zone (one MIG), and two zones of two (a primary and a secondary MIG).
  const oneZone = testTopologyFile(PROJECT, 97, (doc) => {
    doc.setIn(['services', 'echo', 'deploy', 'replicas'], 4);
    doc.setIn(['services', 'echo', 'x-lab', 'zones'], ['a']);
  });
  const twoZones = testTopologyFile(PROJECT, 97, (doc) => {
    doc.setIn(['services', 'echo', 'deploy', 'replicas'], 4);
    doc.setIn(['services', 'echo', 'x-lab', 'zones'], ['a', 'a', 'b', 'b']);
  });
  const ctl = new XdsControl(XDS);
  const push = (p: Partial<XdsPolicy>) => ctl.setPolicy({ ...DEFAULT_POLICY, ...p });
  const t = testingProtos().grpc.testing;
  const stats = new t.LoadBalancerStatsService(`127.0.0.1:${STATS_PORT}`, credentials.createInsecure());
  const config = new t.XdsUpdateClientConfigureService(`127.0.0.1:${STATS_PORT}`, credentials.createInsecure());
  let client: ResultPromise | undefined;

  /** The next `n` calls of the client whose LoadBalancerStatsService this is. */
  const statsOf =
    (service: typeof stats) =>
    (n: number, timeoutSec = 15) =>
      new Promise<Stats>((resolve, reject) =>
        service.GetClientStats({ num_rpcs: n, timeout_sec: timeoutSec }, (e: ServiceError | null, r?: Stats) => (e ? reject(e) : resolve(r!))),
      );
  const next = statsOf(stats);
  const accumulated = () =>
    new Promise<Acc>((resolve, reject) => stats.GetClientAccumulatedStats({}, (e: ServiceError | null, r?: Acc) => (e ? reject(e) : resolve(r!))));
  const configure = (
    types: Array<'EMPTY_CALL' | 'UNARY_CALL'>,
    metadata: Array<{ type: 'EMPTY_CALL' | 'UNARY_CALL'; key: string; value: string }> = [],
    timeout_sec = 0,
  ) => new Promise<void>((resolve, reject) => config.Configure({ types, metadata, timeout_sec }, (e: ServiceError | null) => (e ? reject(e) : resolve())));
  const peers = (s: Stats) => Object.keys(s.rpcs_by_peer).sort();
  const byMethod = (s: Stats, m: 'UnaryCall' | 'EmptyCall') => Object.keys(s.rpcs_by_method[m]?.rpcs_by_peer ?? {}).sort();
  /** Waits until the next `n` calls (of the lab's test client, or of `ask`'s) satisfy `test`; says what it saw last. */
  async function until(what: string, test: (s: Stats) => boolean, n = 50, ms = 30_000, ask = next): Promise<Stats> {
    let seen: Stats | undefined;
    return eventually(
      what,
      async () => {
        seen = await ask(n, 10);
        return test(seen) ? seen : undefined;
      },
      ms,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; saw ${JSON.stringify(seen)}`);
    });
  }
  /** Each echo server's container. */
  const containers = async (names: string[]) => (await rt.listContainers(projectSelector(PROJECT))).filter((c) => names.includes(c.labels[LABEL.instance]));
  const stop = async (...names: string[]) => Promise.all((await containers(names)).map((c) => rt.stopContainer(c.id, 5)));
  const start = async (...names: string[]) => Promise.all((await containers(names)).map((c) => rt.startContainer(c.id)));

  /** Calls in flight per method: started, less those that ended (the open ones never end). */
  const inFlight = (a: Acc, m: 'UNARY_CALL' | 'EMPTY_CALL') =>
    a.stats_per_method[m].rpcs_started - Object.values(a.stats_per_method[m].result).reduce((n, k) => n + k, 0);
  /** Until the calls a case kept open or asleep have ended: none left for the next case to count. */
  const quiet = () =>
    eventually(
      'the calls of the case before have ended',
      async () => {
        const a = await accumulated();
        return inFlight(a, 'EMPTY_CALL') + inFlight(a, 'UNARY_CALL') < 5;
      },
      30_000,
    );

  async function upWith(file: string) {
    const r = await lab(['-f', file, 'up', '--xds']);
    assert.equal(r.exitCode, 0, r.stderr);
  }

  before(async () => {
    await down(rt, PROJECT);
    await upWith(oneZone);
    client = execa(
      process.execPath,
      [path.join(ROOT, 'bin/lab.js'), '-f', oneZone, 'xds', 'test-client', '--stats_port', String(STATS_PORT), '--qps', '100', '--zone', 'a'],
      { reject: false, stdout: 'pipe', stderr: 'pipe' },
    );
    await eventually('the test client answers', async () => (await next(1, 5)).rpcs_by_peer, 30_000);
  });

  after(async () => {
    client?.kill('SIGINT');
    const r = await client;
    stats.close();
    config.close();
    ctl.close();
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    assert.equal(r?.exitCode, 0, `the test client ends cleanly: ${r?.stderr}`);
  });

  it('ping_pong: every backend receives calls', async () => {
    await push({});
    const s = await until('all four backends in the next 100 calls', (x) => peers(x).length === 4 && x.num_failures === 0, 100);
    assert.deepEqual(peers(s), ['echo-1', 'echo-2', 'echo-3', 'echo-4']);
  });

  it('round_robin: once every backend has calls, the next 100 are spread evenly (25 ± 1 each)', async () => {
    const s = await next(100);
    assert.equal(s.num_failures, 0);
    for (const p of ['echo-1', 'echo-2', 'echo-3', 'echo-4']) assert.ok(Math.abs((s.rpcs_by_peer[p] ?? 0) - 25) <= 1, JSON.stringify(s.rpcs_by_peer));
  });

  it("C-core (Debian's python3-grpcio, examples/clients/python/xds_interop_client.py): ping_pong and round_robin with the bootstrap `lab xds bootstrap` writes", async () => {
    const boot = path.join(tempDir('lab-interop-'), 'bootstrap.json');
    const b = await lab(['-f', oneZone, 'xds', 'bootstrap', '--node-id', 'c-core-client', '--zone', 'a', '-o', boot]);
    assert.equal(b.exitCode, 0, b.stderr);
    const port = STATS_PORT + 1;
    const py = execa('/usr/bin/python3', [path.join(ROOT, 'examples/clients/python/xds_interop_client.py'), '--stats_port', String(port), '--qps', '100'], {
      env: { GRPC_XDS_BOOTSTRAP: boot },
      reject: false,
    });
    const cStats = new t.LoadBalancerStatsService(`127.0.0.1:${port}`, credentials.createInsecure());
    const ask = statsOf(cStats);
    try {
      await until('the C-core client reaches all four backends with no failure', (x) => peers(x).length === 4 && x.num_failures === 0, 100, 30_000, ask);
      const s = await ask(100, 10);
      assert.equal(s.num_failures, 0);
      for (const p of ['echo-1', 'echo-2', 'echo-3', 'echo-4']) assert.ok(Math.abs((s.rpcs_by_peer[p] ?? 0) - 25) <= 1, JSON.stringify(s.rpcs_by_peer));
    } finally {
      cStats.close();
      py.kill('SIGTERM');
      const r = await py;
      assert.equal(r.exitCode, 0, `the C-core client ends cleanly: ${r.stderr}`);
    }
  });

  it('backends_restart: with the backends stopped no call succeeds; started again, the same distribution', async () => {
    const before = await next(100);
    await stop('echo-1', 'echo-2', 'echo-3', 'echo-4');
    await until('no call succeeds', (x) => peers(x).length === 0 && x.num_failures === 20, 20);
    await start('echo-1', 'echo-2', 'echo-3', 'echo-4');
    await until('every backend back', (x) => peers(x).length === 4, 100, 60_000);
    const after = await next(100);
    assert.deepEqual(peers(after), peers(before));
    for (const p of peers(after))
      assert.ok(
        Math.abs(after.rpcs_by_peer[p] - before.rpcs_by_peer[p]) <= 2,
        `${JSON.stringify(before.rpcs_by_peer)} → ${JSON.stringify(after.rpcs_by_peer)}`,
      );
  });

  it('secondary_locality_gets_requests_on_primary_failure: zone b takes the calls only while zone a has none up', async () => {
    await upWith(twoZones);
    await push({ localities: { a: { priority: 0 }, b: { priority: 1 } } });
    await until('the primary locality (a) only', (x) => x.num_failures === 0 && peers(x).join() === 'echo-1,echo-2');
    await stop('echo-1', 'echo-2');
    await until('the secondary locality (b)', (x) => peers(x).join() === 'echo-3,echo-4', 50, 30_000);
    await start('echo-1', 'echo-2');
    await until('back to the primary', (x) => peers(x).join() === 'echo-1,echo-2', 50, 60_000);
  });

  it('secondary_locality_gets_no_requests_on_partial_primary_failure: one backend of zone a left is enough', async () => {
    await stop('echo-1');
    await until('echo-2 alone, nothing to zone b', (x) => peers(x).join() === 'echo-2', 50, 30_000);
    await start('echo-1');
    await until('both of zone a again', (x) => peers(x).join() === 'echo-1,echo-2', 50, 60_000);
  });

  it('change_backend_service: the route moves to another backend service, and every call with it', async () => {
    const subsets = { a: ['echo-1', 'echo-2'], b: ['echo-3', 'echo-4'] };
    await push({ split: { subsets, weights: { a: 100 } } });
    await until('service a', (x) => x.num_failures === 0 && peers(x).join() === 'echo-1,echo-2');
    await push({ split: { subsets, weights: { b: 100 } } });
    await until('service b, no call failing', (x) => x.num_failures === 0 && peers(x).join() === 'echo-3,echo-4');
  });

  it('traffic_splitting: all to a, then 20/80 between a and b over 1000 calls', async () => {
    const subsets = { a: ['echo-1'], b: ['echo-3'] };
    await push({ split: { subsets, weights: { a: 100 } } });
    await until('all on a', (x) => peers(x).join() === 'echo-1');
    await push({ split: { subsets, weights: { a: 20, b: 80 } } });
    await until('both', (x) => peers(x).length === 2);
    const s = await next(1000, 30);
    assert.ok(Math.abs(s.rpcs_by_peer['echo-1'] / 1000 - 0.2) < 0.05 && Math.abs(s.rpcs_by_peer['echo-3'] / 1000 - 0.8) < 0.05, JSON.stringify(s.rpcs_by_peer));
  });

  it('path_matching: calls routed by path, prefix, regex and case-insensitive path', async () => {
    await configure(['EMPTY_CALL', 'UNARY_CALL']);
    const base = { split: { subsets: { main: ['echo-1'], two: ['echo-3'] }, weights: { main: 100 } } };
    const cases: Array<[string, XdsPolicy['routes'], string, string]> = [
      ['default route only', [], 'echo-1', 'echo-1'],
      ['path EmptyCall', [{ path: EMPTY, subset: 'two' }], 'echo-1', 'echo-3'],
      ['prefix Unary', [{ prefix: '/grpc.testing.TestService/Unary', subset: 'two' }], 'echo-3', 'echo-1'],
      [
        'prefix Unary to main, path EmptyCall to two',
        [
          { prefix: '/grpc.testing.TestService/Unary', subset: 'main' },
          { path: EMPTY, subset: 'two' },
        ],
        'echo-1',
        'echo-3',
      ],
      ['regex', [{ regex: '^\\/.*\\/UnaryCall$', subset: 'two' }], 'echo-3', 'echo-1'],
      ['path, ignoring case', [{ path: '/gRpC.tEsTinG.tEstseRvice/empTycaLl', ignoreCase: true, subset: 'two' }], 'echo-1', 'echo-3'],
    ];
    for (const [what, routes, unary, empty] of cases) {
      await push({ ...base, routes });
      await until(
        `${what}: UnaryCall → ${unary}, EmptyCall → ${empty}`,
        (x) => byMethod(x, 'UnaryCall').join() === unary && byMethod(x, 'EmptyCall').join() === empty && x.num_failures === 0,
      );
    }
  });

  it('header_matching: calls routed by exact, prefix, suffix, present, inverted, range and regex header matches', async () => {
    await configure(
      ['EMPTY_CALL', 'UNARY_CALL'],
      [
        { type: 'EMPTY_CALL', key: 'xds_md', value: 'empty_ytpme' },
        { type: 'UNARY_CALL', key: 'xds_md', value: 'unary_yranu' },
        { type: 'UNARY_CALL', key: 'xds_md_numeric', value: '159' },
      ],
    );
    const base = { split: { subsets: { main: ['echo-1'], two: ['echo-3'] }, weights: { main: 100 } } };
    const to = (h: NonNullable<XdsPolicy['routes']>[number]['headers']) => [{ prefix: '', headers: h, subset: 'two' }];
    const cases: Array<[string, XdsPolicy['routes'], string, string]> = [
      ['exact empty_ytpme', to([{ name: 'xds_md', exact: 'empty_ytpme' }]), 'echo-1', 'echo-3'],
      ['prefix un', to([{ name: 'xds_md', prefix: 'un' }]), 'echo-3', 'echo-1'],
      ['suffix me', to([{ name: 'xds_md', suffix: 'me' }]), 'echo-1', 'echo-3'],
      ['present xds_md_numeric', to([{ name: 'xds_md_numeric', present: true }]), 'echo-3', 'echo-1'],
      ['not exact unary_yranu', to([{ name: 'xds_md', exact: 'unary_yranu', invert: true }]), 'echo-1', 'echo-3'],
      ['range [100, 200)', to([{ name: 'xds_md_numeric', range: { start: 100, end: 200 } }]), 'echo-3', 'echo-1'],
      ['regex ^em.*me$', to([{ name: 'xds_md', regex: '^em.*me$' }]), 'echo-1', 'echo-3'],
    ];
    for (const [what, routes, unary, empty] of cases) {
      await push({ ...base, routes });
      await until(
        `${what}: UnaryCall → ${unary}, EmptyCall → ${empty}`,
        (x) => byMethod(x, 'UnaryCall').join() === unary && byMethod(x, 'EmptyCall').join() === empty && x.num_failures === 0,
      );
    }
    await configure(['UNARY_CALL']);
  });

  it('circuit_breaking: calls kept open stop at each cluster’s max_requests, and follow it when it changes', async () => {
    const subsets = { one: ['echo-1', 'echo-2'], two: ['echo-3', 'echo-4'] };
    const routes = [
      { path: UNARY, subset: 'one' },
      { path: EMPTY, subset: 'two' },
    ];
    await push({ split: { subsets, weights: { one: 100 } }, routes, subsetMaxRequests: { one: 50, two: 100 } });
    await sleep(1000);
    await configure(
      ['EMPTY_CALL', 'UNARY_CALL'],
      [
        { type: 'EMPTY_CALL', key: 'rpc-behavior', value: 'keep-open' },
        { type: 'UNARY_CALL', key: 'rpc-behavior', value: 'keep-open' },
      ],
      10,
    );
    /** Calls in flight per method: started, less those that ended (the open ones never end). */
    const inFlight = (a: Acc, m: 'UNARY_CALL' | 'EMPTY_CALL') =>
      a.stats_per_method[m].rpcs_started - Object.values(a.stats_per_method[m].result).reduce((n, k) => n + k, 0);
    const at = async (unary: number, empty: number) => {
      let seen = '';
      await eventually(
        `${unary} UnaryCall and ${empty} EmptyCall in flight`,
        async () => {
          const a1 = await accumulated();
          await sleep(1000);
          const a2 = await accumulated();
          seen = `${inFlight(a2, 'UNARY_CALL')}/${inFlight(a2, 'EMPTY_CALL')}`;
          // Steady: the count holds over a second while calls keep being started (and refused).
          return (
            inFlight(a2, 'UNARY_CALL') === unary &&
            inFlight(a1, 'UNARY_CALL') === unary &&
            inFlight(a2, 'EMPTY_CALL') === empty &&
            inFlight(a1, 'EMPTY_CALL') === empty
          );
        },
        30_000,
      ).catch((err: Error) => {
        throw new Error(`${err.message}; in flight (unary/empty): ${seen}`);
      });
    };
    await at(50, 100);
    await push({ split: { subsets, weights: { one: 100 } }, routes, subsetMaxRequests: { one: 80, two: 100 } });
    await at(80, 100);
    // Calls beyond the limits were refused at once, as UNAVAILABLE.
    assert.ok(((await accumulated()).stats_per_method.UNARY_CALL.result[status.UNAVAILABLE] ?? 0) > 0);
    await configure(['UNARY_CALL'], [], 0);
    // The calls kept open end at their 10 s deadline: none left for the next case to count.
    await eventually(
      'no call in flight',
      async () => {
        const a = await accumulated();
        return inFlight(a, 'EMPTY_CALL') === 0 && inFlight(a, 'UNARY_CALL') < 5;
      },
      20_000,
    );
  });

  it('timeout: a route’s max_stream_duration ends calls that outlive it; the application’s deadline ends those it is shorter for', async () => {
    await push({
      split: { subsets: { all: ['echo-1', 'echo-2', 'echo-3', 'echo-4'] }, weights: { all: 100 } },
      routes: [{ path: UNARY, subset: 'all', timeoutMs: 3000 }],
    });
    /** The status codes of the calls of `m` that ended during `ms`. */
    const during = async (m: 'UNARY_CALL' | 'EMPTY_CALL', ms: number) => {
      const a1 = (await accumulated()).stats_per_method[m].result;
      await sleep(ms);
      const a2 = (await accumulated()).stats_per_method[m].result;
      return Object.fromEntries(
        Object.keys(a2)
          .map((k) => [k, a2[Number(k)] - (a1[Number(k)] ?? 0)])
          .filter(([, n]) => Number(n) > 0),
      ) as Record<string, number>;
    };
    const mostly = (r: Record<string, number>, code: number) => {
      const total = Object.values(r).reduce((n, k) => n + k, 0);
      return total > 20 && (r[code] ?? 0) / total > 0.95;
    };
    // app_timeout_exceeded: a 1 s deadline against a 2 s sleep.
    await configure(['UNARY_CALL'], [{ type: 'UNARY_CALL', key: 'rpc-behavior', value: 'sleep-2' }], 1);
    await sleep(2500);
    const appTimeout = await during('UNARY_CALL', 3000);
    assert.ok(mostly(appTimeout, status.DEADLINE_EXCEEDED), `app_timeout_exceeded: ${JSON.stringify(appTimeout)}`);
    // timeout_not_exceeded: no sleep, the default deadline.
    await configure(['UNARY_CALL'], [], 0);
    await sleep(1500);
    const notExceeded = await during('UNARY_CALL', 2000);
    assert.ok(mostly(notExceeded, status.OK), `timeout_not_exceeded: ${JSON.stringify(notExceeded)}`);
    // timeout_different_route: a 4 s sleep: UnaryCall's route ends it at 3 s, EmptyCall's has no limit.
    await configure(
      ['UNARY_CALL', 'EMPTY_CALL'],
      [
        { type: 'UNARY_CALL', key: 'rpc-behavior', value: 'sleep-4' },
        { type: 'EMPTY_CALL', key: 'rpc-behavior', value: 'sleep-4' },
      ],
      0,
    );
    await sleep(5000);
    const [unary, empty] = await Promise.all([during('UNARY_CALL', 3000), during('EMPTY_CALL', 3000)]);
    assert.ok(mostly(unary, status.DEADLINE_EXCEEDED), `timeout_exceeded: ${JSON.stringify(unary)}`);
    assert.ok(mostly(empty, status.OK), `timeout_different_route: ${JSON.stringify(empty)}`);
    await configure(['UNARY_CALL'], [], 0);
    await quiet();
  });

  it('fault_injection: per-route faults by header: always abort, always delay past the deadline, abort half', async () => {
    const subsets = { all: ['echo-1', 'echo-2', 'echo-3', 'echo-4'] };
    const fi = (value: string, fault: XdsPolicy['fault']) => ({ prefix: '', headers: [{ name: 'fi_testcase', exact: value }], subset: 'all', fault });
    await push({
      split: { subsets, weights: { all: 100 } },
      routes: [
        fi('always_abort', { abort: { code: status.UNAVAILABLE, percent: 100 } }),
        fi('always_delay', { delay: { ms: 2000, percent: 100 } }),
        fi('abort_half', { abort: { code: status.UNAVAILABLE, percent: 50 } }),
      ],
    });
    const share = async (value: string, code: number, timeoutSec = 0) => {
      await configure(['UNARY_CALL'], [{ type: 'UNARY_CALL', key: 'fi_testcase', value }], timeoutSec);
      await sleep(timeoutSec ? timeoutSec * 1000 + 1000 : 1000);
      const a1 = (await accumulated()).stats_per_method.UNARY_CALL.result;
      await sleep(3000);
      const a2 = (await accumulated()).stats_per_method.UNARY_CALL.result;
      const n = (k: number) => (a2[k] ?? 0) - (a1[k] ?? 0);
      const total = Object.keys(a2).reduce((s, k) => s + n(Number(k)), 0);
      return total ? n(code) / total : NaN;
    };
    const abort = await share('always_abort', status.UNAVAILABLE);
    assert.ok(abort > 0.99, `always_abort: ${abort}`);
    const delay = await share('always_delay', status.DEADLINE_EXCEEDED, 1);
    assert.ok(delay > 0.99, `always_delay, a 2 s delay against a 1 s deadline: ${delay}`);
    const half = await share('abort_half', status.UNAVAILABLE);
    assert.ok(Math.abs(half - 0.5) < 0.1, `abort_half: ${half}`);
    await configure(['UNARY_CALL'], [], 0);
  });

  it('csds: the client’s CSDS dumps every resource it holds, each ACKED', async () => {
    await push({});
    const deps = path.join(ROOT, 'node_modules/@grpc/grpc-js-xds/deps');
    const def = loadSync('envoy/service/status/v3/csds.proto', {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
      includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => path.join(deps, d)),
    });
    const pkg = loadPackageDefinition(def) as unknown as {
      envoy: {
        service: {
          status: {
            v3: {
              ClientStatusDiscoveryService: new (
                a: string,
                c: ReturnType<typeof credentials.createInsecure>,
              ) => { FetchClientStatus: (req: object, cb: (e: Error | null, x: never) => void) => void; close(): void };
            };
          };
        };
      };
    };
    const csds = new pkg.envoy.service.status.v3.ClientStatusDiscoveryService(`127.0.0.1:${STATS_PORT}`, credentials.createInsecure());
    try {
      let last = '';
      const seen = await eventually('LDS, RDS, CDS and EDS in the dump, each ACKED', async () => {
        const r = await new Promise<{ config: Array<{ generic_xds_configs: Array<{ type_url: string; name: string; client_status: string }> }> }>(
          (resolve, reject) => csds.FetchClientStatus({}, (e: Error | null, x: never) => (e ? reject(e) : resolve(x))),
        );
        const configs = r.config.flatMap((c) => c.generic_xds_configs);
        last = JSON.stringify(configs.map((c) => [c.type_url.split('.').pop(), c.name, c.client_status]));
        // The resources the default policy serves: listener echo, route echo-route, cluster and endpoints echo.
        const current = configs.filter((c) => c.name === 'echo' || c.name === 'echo-route');
        const acked = new Set(current.filter((c) => c.client_status === 'ACKED').map((c) => c.type_url.split('.').pop()));
        return ['Listener', 'RouteConfiguration', 'Cluster', 'ClusterLoadAssignment'].every((x) => acked.has(x)) ? acked : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}; the dump: ${last}`);
      });
      assert.equal(seen.size, 4);
    } finally {
      csds.close();
    }
  });

  it('the control plane keeps what was pushed across a SIGKILL and a start: the split stays, versions go on, the load reports add up', async () => {
    const subsets = { a: ['echo-1'], b: ['echo-3'] };
    await push({ split: { subsets, weights: { b: 100 } } });
    await until('all on b', (x) => peers(x).join() === 'echo-3' && x.num_failures === 0);
    /** Quiet (no call sent), long enough for the last load report to arrive: then the reports and the client's count, side by side. */
    const settled = async () => {
      await configure([]);
      await sleep(3000);
      const c = await accumulated();
      const ended = Object.values(c.stats_per_method).reduce((n, m) => n + Object.values(m.result).reduce((x, k) => x + k, 0), 0);
      const sum = (counts: Record<string, number>) => Object.values(counts).reduce((n, k) => n + k, 0);
      assert.equal(sum(c.num_rpcs_succeeded_by_method) + sum(c.num_rpcs_failed_by_method), ended, 'succeeded and failed add up to the calls ended');
      assert.equal(c.num_rpcs_succeeded_by_method.UNARY_CALL, c.stats_per_method.UNARY_CALL.result[0] ?? 0, 'succeeded: the calls ended OK');
      const reported = (await ctl.status()).loads
        .filter((l) => l.nodeId === 'xds-test-client')
        .reduce((n, l) => n + Number(l.successful) + Number(l.errors), 0);
      return { ended, reported };
    };
    const t0 = await settled();
    const before = await ctl.status();
    const [xds] = (await rt.listContainers(projectSelector(PROJECT))).filter((c) => c.labels[LABEL.instance] === 'xds');
    await rt.killContainer(xds.id, 'SIGKILL');
    await rt.startContainer(xds.id);
    await eventually('the control plane answers again', () => ctl.status(1000).catch(() => undefined), 30_000);
    const after = await ctl.status();
    assert.deepEqual(JSON.parse(after.policyJson).split, { subsets, weights: { b: 100 } }, 'the push is still in force');
    for (const type of ['LDS', 'RDS', 'CDS', 'EDS'])
      assert.ok(Number(after.versions[type]) > Number(before.versions[type]), `${type} v${before.versions[type]} → v${after.versions[type]}`);
    await configure(['UNARY_CALL']);
    await sleep(2000);
    assert.deepEqual(peers(await next(200, 20)), ['echo-3'], 'the client, reconnected, gets the same split');
    const t1 = await settled();
    assert.ok(t1.reported >= t0.reported, `the totals went on (${t0.reported} → ${t1.reported}), not back to 0`);
    assert.equal(t1.reported - t0.reported, t1.ended - t0.ended, 'every call the client ended since is in the load reports');
    assert.ok(t1.ended > t0.ended);
    await configure(['UNARY_CALL']);
  });
});
