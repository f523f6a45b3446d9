// Bad input everywhere, through the CLI as users type it: every case in the corpus (flags, service
// config JSON, missing files; test/fixtures/bad-input/cli.json) exits 2 with its exact message and
// no stack trace, and starts nothing. Scenario and topology files have their own corpora (unit).
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { lab, leftovers, ROOT, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labbad';
const cases = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/bad-input/cli.json'), 'utf8')) as Array<{
  args: string[];
  error: string;
  topology?: string;
}>;

describe('bad input on the command line (exit 2, the exact message, nothing started)', () => {
  const file = testTopologyFile(PROJECT, 85);
  after(async () => assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] }));

  it('has at least 30 cases (with the scenario and topology corpora, well over 50)', () => assert.ok(cases.length >= 30, String(cases.length)));

  for (const c of cases) {
    it(`lab ${c.args.join(' ')}`, async () => {
      const r = await lab(['-f', c.topology ?? file, ...c.args], { input: '' });
      assert.equal(r.exitCode, 2, `${r.stdout}\n${r.stderr}`);
      assert.equal(r.stderr.split('\n')[0], c.error);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.stderr.trim().split('\n').length <= 3, `one short paragraph:\n${r.stderr}`);
    });
  }
});
