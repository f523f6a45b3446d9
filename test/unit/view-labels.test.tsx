// What the view calls each backend and service: a label the screen shows must name one instance and
// no other. Two defects of one class were found with a server of yours: its sidecar shares its host
// address, so the address named the sidecar and a client showed each replica twice (its calls under
// greeter-1, its subchannel's READY under the sidecar, 0%); and names longer than the fixed column
// were cut to one and the same "greeter…" on every row. The class is checked here: every label the
// columns make is distinct for distinct names (a property over any names and widths), and a server
// of yours shows as one row per replica, whole, in both panels.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import chalk from 'chalk';
import fc from 'fast-check';
import { nameLabels } from '../../src/view/format.js';
import { reduce } from '../../src/view/reducer.js';
import { initialView } from '../../src/view/state.js';
import { namesOf, servicesOf } from '../../src/view/run-play.js';
import { loadTopology } from '../../src/topology/load.js';
import type { BucketStats } from '../../src/traffic/index.js';
import { ROOT } from '../helpers/lab.js';
import { screen } from '../helpers/view-frames.js';

setupLab();
chalk.level = 0;

describe('name labels', () => {
  it('distinct names get distinct labels, exactly the column wide, whole when they fit (any names, any width)', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,39}$/);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 40 }), fc.integer({ min: 4, max: 24 }), (names, width) => {
        const labels = nameLabels(names, width);
        const shown = names.map((n) => labels.get(n)!);
        assert.equal(new Set(shown).size, names.length, `${JSON.stringify(names)} at ${width}: ${JSON.stringify(shown)}`);
        for (const [i, n] of names.entries()) {
          assert.equal(shown[i].length, width);
          assert.ok(shown[i].endsWith(' '), 'a space before the next column');
          if (n.length < width) assert.equal(shown[i].trimEnd(), n);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('replicas of one long service keep their numbers', () => {
    const names = Array.from({ length: 12 }, (_, i) => `payments-gateway-canary-${i + 1}`);
    const labels = nameLabels(names, 12);
    assert.equal(labels.get('payments-gateway-canary-12')!.trimEnd().slice(-3), '-12');
    assert.equal(new Set(labels.values()).size, 12);
  });
});

describe('a server of yours in the view', () => {
  const t = loadTopology(path.join(ROOT, 'examples/servers/go/lab.yaml'));
  const stat = (calls: number): BucketStats => ({ calls, ok: calls, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 2, maxMs: 2 });
  let s = initialView({ title: 'watch', mode: 'watch', services: servicesOf(t), names: namesOf(t) });
  s = reduce(s, {
    type: 'cluster',
    services: t.instances.map((i) => ({ name: i.name, role: i.role, hostAddress: i.hostAddress, container: 'running' })),
  });
  s = reduce(s, { type: 'client-started', client: 'rr', t: 0, target: 'etcd:///greeter', serviceConfig: { loadBalancingConfig: [{ round_robin: {} }] } });
  const greeters = t.instances.filter((i) => i.role === 'server');
  s = reduce(s, { type: 'resolution', client: 'rr', t: 10, addresses: greeters.map((g) => g.hostAddress), note: 'etcd: initial list' });
  for (const g of greeters) s = reduce(s, { type: 'subchannel', client: 'rr', t: 20, address: g.hostAddress, state: 'READY', previous: 'CONNECTING' });
  s = reduce(s, {
    type: 'bucket',
    client: 'rr',
    t: 1000,
    widthMs: 1000,
    total: stat(900),
    backends: Object.fromEntries(greeters.map((g) => [g.name, stat(300)])),
  });

  it('the address names the server, never its sidecar: one row per replica, with its share and its subchannel', () => {
    const c = s.clients[0];
    assert.deepEqual(
      c.backends.map((b) => b.name),
      ['greeter-1', 'greeter-2', 'greeter-3'],
    );
    for (const g of greeters) assert.equal(s.names[g.hostAddress], g.name);
  });

  for (const [columns, rows] of [
    [80, 24],
    [160, 50],
  ] as const)
    it(`at ${columns}×${rows}: each replica whole, once, with its share and READY; no sidecar row in the cluster`, () => {
      const lines = screen(s, columns, rows);
      for (const g of ['greeter-1', 'greeter-2', 'greeter-3']) {
        const rowsOf = lines.filter((l) => new RegExp(`^ {2}${g} +#+ +33%.*READY`).test(l));
        assert.equal(rowsOf.length, 1, `${g}:\n${lines.join('\n')}`);
      }
      assert.ok(!lines.some((l) => /sidecar/.test(l)), lines.join('\n'));
      assert.ok(!lines.some((l) => /greeter…/.test(l)), lines.join('\n'));
      assert.ok(!lines.some((l) => / 0% .*READY/.test(l)), `a READY backend with no calls:\n${lines.join('\n')}`);
    });
});
