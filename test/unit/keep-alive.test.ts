// A command's await is never dropped by node because only unref'd timers can end it (exit code 13
// with no message: `lab up --xds` in CI, and an in-process `up` in the sandbox test, whose fetch to a
// Consul still starting held no handle); and a readiness wait whose probe never settles ends at its
// timeout instead of holding `up` forever. Each case runs in its own process, killed after 15 s.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { ROOT } from '../helpers/lab.js';

const fixture = (mode: string) =>
  execa(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/fixtures/keep-alive/unref-await.ts'), mode], { reject: false, timeout: 15_000 });

describe('a command is not ended by an empty event loop', () => {
  it('held by keepAliveWhile, an await that only an unref’d timer ends settles; bare, node exits 13 without it', async () => {
    const held = await fixture('held');
    assert.equal(held.exitCode, 0, held.stderr);
    assert.equal(held.stdout.trim(), 'ended');
    const bare = await fixture('bare');
    assert.equal(bare.exitCode, 13, 'the fixture no longer shows what keepAliveWhile is for');
    assert.equal(bare.stdout.trim(), '');
  });

  it('a readiness wait whose probe never settles is given up at its timeout, with the reason', async () => {
    const r = await fixture('probe');
    assert.equal(r.exitCode, 0, `${r.stderr} (timed out: ${r.timedOut})`);
    assert.match(r.stdout, /^WaitTimeout: a probe that never answers not ready after \d+\.\d s \(last: .*timeout.*\)$/m);
  });
});
