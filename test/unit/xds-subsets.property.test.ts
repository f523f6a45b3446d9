// The xds action names subsets in three places (the split's weights, a route's `to`, a circuit
// breaker per subset), and a later push can drop a subset an earlier one named: calls routed to a
// subset the control plane does not serve fail, a breaker on one limits nothing. Random sequences of
// pushes (fast-check), checked against a plain simulation of what the control plane would serve:
// the checker accepts a scenario exactly when, after every push, each subset named is one the
// subsets in force give. What it accepts never stops mid-run on a subset; what it refuses would have.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { setupLab } from '../../src/setup.js';
import { parseScenario } from '../../src/scenario/load.js';
import { parseTopology } from '../../src/topology/load.js';
import { LabError } from '../../src/errors.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

const COMPOSE = readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8');
const topologyFor = (sb: object) => parseTopology('compose/lab.yaml', COMPOSE, sb);

const NAMES = ['a', 'b', 'c'] as const;
const MEMBERS: Record<string, string[]> = { a: ['echo-1'], b: ['echo-2'], c: ['echo-3'] };
const name = fc.constantFrom(...NAMES);
const someNames = fc.uniqueArray(name, { minLength: 1, maxLength: 3 });

interface Push {
  reset?: boolean;
  subsets?: Record<string, string[]>;
  split?: Record<string, number>;
  routes?: Array<{ prefix: string; to: string }> | false;
  subsetMaxRequests?: Record<string, number>;
}

/** A push: a split (over subsets it gives, or over those given before), routes, breakers, a reset. */
const push: fc.Arbitrary<Push> = fc
  .record(
    {
      reset: fc.boolean(),
      give: fc.option(someNames, { nil: undefined }),
      split: fc.option(someNames, { nil: undefined }),
      routes: fc.option(fc.oneof(fc.constant(false as const), fc.array(name, { minLength: 1, maxLength: 2 })), { nil: undefined }),
      limits: fc.option(someNames, { nil: undefined }),
    },
    { requiredKeys: [] },
  )
  .map(({ reset, give, split, routes, limits }) => {
    const p: Push = {};
    if (reset) p.reset = true;
    // The action's own rule: subsets come with a split over them.
    if (give) {
      p.subsets = Object.fromEntries(give.map((n) => [n, MEMBERS[n]]));
      p.split = Object.fromEntries((split ?? give).filter((n) => give.includes(n)).map((n) => [n, 10]));
      if (!Object.keys(p.split).length) p.split = { [give[0]]: 10 };
    } else if (split) p.split = Object.fromEntries(split.map((n) => [n, 10]));
    if (routes !== undefined) p.routes = routes === false ? false : routes.map((to, i) => ({ prefix: `/p${i}/`, to }));
    if (limits) p.subsetMaxRequests = Object.fromEntries(limits.map((n) => [n, 5]));
    return p;
  })
  .filter((p) => Object.keys(p).length > 0);

/** What the control plane serves after the pushes, as plainly as it can be said: the first push whose names it does not give, or none. */
function firstGap(pushes: Push[]): number | undefined {
  let subsets = new Set<string>();
  let routed = new Set<string>();
  let limited = new Set<string>();
  let split = new Set<string>();
  for (const [i, p] of pushes.entries()) {
    if (p.reset) [subsets, routed, limited, split] = [new Set(), new Set(), new Set(), new Set()];
    if (p.split) {
      if (p.subsets) subsets = new Set(Object.keys(p.subsets));
      split = new Set(Object.keys(p.split));
    }
    if (p.routes !== undefined) routed = new Set(p.routes ? p.routes.map((r) => r.to) : []);
    if (p.subsetMaxRequests) limited = new Set([...limited, ...Object.keys(p.subsetMaxRequests)]);
    if ([...split, ...routed, ...limited].some((n) => !subsets.has(n))) return i;
  }
  return undefined;
}

function scenarioText(pushes: Push[]): string {
  return stringify({
    name: 'pushes',
    sandbox: { xds: true },
    duration: `${pushes.length + 2}s`,
    clients: { x: { target: 'xds:///echo', rate: 50 } },
    steps: pushes.map((p, i) => ({ at: `${i + 1}s`, xds: p })),
  });
}

describe('the xds action: every subset a push names, on the model of the run', () => {
  it('is accepted exactly when, after every push, the split, the routes and the breakers name only subsets in force', () => {
    fc.assert(
      fc.property(fc.array(push, { minLength: 1, maxLength: 5 }), (pushes) => {
        const gap = firstGap(pushes);
        let refused: string | undefined;
        try {
          parseScenario('pushes.yaml', scenarioText(pushes), topologyFor);
        } catch (err) {
          if (!(err instanceof LabError)) throw err;
          refused = err.message;
        }
        if (gap === undefined) assert.equal(refused, undefined, `accepted by the simulation, refused: ${refused}`);
        else {
          assert.ok(refused, `push ${gap + 1} names a subset not in force, accepted:\n${scenarioText(pushes)}`);
          assert.match(refused, /subset/, refused);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('names the step and the route when a later push sends calls to a subset an earlier one replaced', () => {
    const pushes: Push[] = [
      { subsets: { a: ['echo-1'], b: ['echo-2'] }, split: { a: 10 } },
      { subsets: { c: ['echo-3'] }, split: { c: 10 } },
      { routes: [{ prefix: '/p/', to: 'a' }] },
    ];
    assert.throws(
      () => parseScenario('pushes.yaml', scenarioText(pushes), topologyFor),
      /steps\[2\]\.xds\.routes\[0\]\.to: the route sends its calls to subset "a", which no push before 3s has given \(known: c\)/,
    );
  });
});
