// A fresh corpus of bad input (test/fixtures/bad-input/fresh), written from the README alone by a
// session that had not seen the checker (servers/: one more, on a server of yours, at stop 37): every scenario and topology refused with its exact message
// and position, nothing started; the cases it called good accepted; the few it called bad that the
// lab accepts on purpose say why in expected.json. LAB_UPDATE_CORPUS=1 rewrites the messages (the
// reasons stay) for a reviewed change of wording.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setupLab } from '../../src/setup.js';
import { loadScenario } from '../../src/scenario/load.js';
import { loadTopology } from '../../src/topology/load.js';
import { ROOT } from '../helpers/lab.js';

setupLab();

const DIR = path.join(ROOT, 'test/fixtures/bad-input/fresh');
const COMPOSE = path.join(ROOT, 'compose/lab.yaml');
/** The servers' corpus is read against the Go example's topology (three replicas of a server of yours beside three echo servers). */
const WITH_SERVERS = path.join(ROOT, 'examples/servers/go/lab.yaml');
const update = process.env.LAB_UPDATE_CORPUS === '1';

function outcome(run: () => void): string {
  try {
    run();
    return '(accepted)';
  } catch (err) {
    return (err as Error).message;
  }
}

for (const [kind, load] of [
  ['scenarios', (f: string) => loadScenario(f, (sb) => loadTopology(COMPOSE, sb))],
  ['topologies', (f: string) => loadTopology(f)],
  ['servers', (f: string) => loadScenario(f, (sb) => loadTopology(WITH_SERVERS, sb))],
] as const) {
  describe(`the fresh corpus of bad ${kind}`, () => {
    const dir = path.join(DIR, kind);
    const expectedFile = path.join(dir, 'expected.json');
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Record<string, string>;
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

    it('names every file, and refuses most of them', () => {
      assert.deepEqual(Object.keys(expected).sort(), files.sort());
      const refused = Object.values(expected).filter((m) => !m.startsWith('(accepted')).length;
      assert.ok(refused >= { scenarios: 250, topologies: 40, servers: 30 }[kind], `${refused} refused`);
    });

    it('gives each its exact message, at its place (the file read as lab check and lab up read it)', () => {
      const cwd = process.cwd();
      process.chdir(dir);
      const got: Record<string, string> = {};
      try {
        for (const f of files) got[f] = outcome(() => load(f));
      } finally {
        process.chdir(cwd);
      }
      if (update) {
        for (const f of files) if (!(got[f] === '(accepted)' && expected[f]?.startsWith('(accepted'))) expected[f] = got[f];
        writeFileSync(expectedFile, `${JSON.stringify(expected, null, 2)}\n`);
      }
      for (const f of files) {
        const first = readFileSync(path.join(dir, f), 'utf8').split('\n')[0];
        if (expected[f].startsWith('(accepted')) {
          assert.equal(got[f], '(accepted)', f);
          if (first.startsWith('# WHY')) assert.match(expected[f], /^\(accepted: .{20,}\)$/, `${f}: a case written as bad that is accepted says why`);
        } else {
          assert.equal(got[f], expected[f], f);
          assert.ok(!first.startsWith('# GOOD'), `${f} was written as good`);
          assert.match(got[f], new RegExp(`^${f.replace(/[.]/g, '\\.')}:\\d+:\\d+: |^cannot read the`), `${f}: the message names the file and the place`);
        }
      }
    });
  });
}
