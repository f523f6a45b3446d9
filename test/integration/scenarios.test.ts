// The scenario library is the lab's widest end-to-end test: every file in scenarios/ is played as a
// user plays it (`lab play FILE --no-tui`) on a real sandbox (project labscen on 127.84.x.y) and
// must pass; and a lesson broken on purpose must fail. Runs last (the file sorts after the others).
// Three are played to a pass by other tests instead (view.test.ts plays two in the view,
// own-client.test.ts plays your-client-python): played here too they would only cost CI time.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { down, getRuntime } from '../../src/sandbox/index.js';
import { LIBRARY, libraryFiles, playFile } from '../../scripts/scenarios.js';
import { leftovers, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labscen';

/** Played to a pass elsewhere: the test file that does, as a user plays them. */
const PLAYED_ELSEWHERE: Record<string, string> = {
  'tour.yaml': 'view.test.ts',
  'xds-canary.yaml': 'view.test.ts',
  'your-client-python.yaml': 'own-client.test.ts',
};

describe('the scenario library, played', () => {
  const rt = getRuntime();
  const topology = testTopologyFile(PROJECT, 84);
  const reportRoot = tempDir('lab-library-');

  before(async () => {
    await down(rt, PROJECT);
  });
  after(async () => {
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('has the stories the seeds tell', () => {
    for (const f of [
      'tour',
      'pick-first-vs-round-robin',
      'retry-two-of-three',
      'hedging',
      'etcd-lease-expiry',
      'etcd-outage',
      'consul-health',
      'kill-node',
      'xds-canary',
      'xds-locality-failover',
      'xds-outage',
      'xds-fault-injection',
      'xds-outlier-detection',
      'xds-ring-hash',
      'xds-nack',
      'blackhole-keepalive',
      'weighted',
      'slow-backend',
      'ring-hash',
      'dns-caching',
      'rolling-restart',
      'etcd-leader',
      'k8s-service-imbalance',
      'proxy-failover',
    ]) {
      assert.ok(libraryFiles().includes(`${f}.yaml`), f);
    }
    // Each says what it shows and what to look for, in a header comment.
    for (const f of libraryFiles()) assert.match(readFileSync(path.join(LIBRARY, f), 'utf8'), /^# [a-z-]+/, f);
  });

  it('the ones played elsewhere are played to a pass there', () => {
    for (const [f, where] of Object.entries(PLAYED_ELSEWHERE)) {
      assert.ok(libraryFiles().includes(f), f);
      const text = readFileSync(path.join(import.meta.dirname, where), 'utf8');
      assert.match(text, new RegExp(`scenarios/${f.replace('.', '\\.')}`), `${where} plays ${f}`);
      assert.match(text, /EXIT=0|exitCode, 0/, `${where} requires a pass`);
    }
  });

  for (const file of libraryFiles().filter((f) => !PLAYED_ELSEWHERE[f])) {
    it(`${file} passes`, { timeout: 180_000 }, async (t) => {
      const p = await playFile(path.join(LIBRARY, file), { topology, reportRoot });
      if (p.stray) t.diagnostic(`the CLI exited past an open handle: ${p.stray}`);
      assert.equal(p.exitCode, 0, p.output.split('\n').slice(-30).join('\n'));
      assert.equal(p.verdict?.ok, true);
      assert.ok(p.verdict!.expectations.length > 0);
    });
  }

  it('a broken lesson fails: retry-two-of-three whose retryPolicy does not retry UNAVAILABLE', { timeout: 120_000 }, async () => {
    const text = readFileSync(path.join(LIBRARY, 'retry-two-of-three.yaml'), 'utf8');
    // Without a retryPolicy the lesson cannot even be played: three attempts per call cannot hold.
    const noPolicy = path.join(tempDir('lab-broken-'), 'retry-no-policy.yaml');
    writeFileSync(noPolicy, text.replace(/\n\s+retryPolicy:[^\n]*/, ''));
    const refused = await playFile(noPolicy, { topology, reportRoot });
    assert.equal(refused.exitCode, 2, refused.output);
    assert.match(refused.output, /attempts per call 3 ± 0\.1 cannot hold: the client has no retry or hedging policy then/);
    // With a policy that retries another code, it plays, and the lesson fails where it should.
    const broken = text.replace('retryableStatusCodes: [UNAVAILABLE]', 'retryableStatusCodes: [RESOURCE_EXHAUSTED]');
    assert.notEqual(broken, text);
    const file = path.join(tempDir('lab-broken-'), 'retry-broken.yaml');
    writeFileSync(file, broken);
    const p = await playFile(file, { topology, reportRoot });
    assert.equal(p.exitCode, 1, p.output);
    const failed = p.verdict!.expectations.filter((e) => !e.ok);
    assert.equal(failed.length, 1);
    assert.match(failed[0].text, /^retry: errors total 0/);
    assert.match(failed[0].saw, /total [1-9]\d*; 1\.00 attempts per call/);
  });
});
