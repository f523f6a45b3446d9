// A command's await is never dropped by node because only unref'd timers can end it (exit code 13
// with no message, seen once from `lab up --xds` in CI); and a readiness wait whose probe never
// settles ends at its timeout instead of holding `up` forever.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { waitUntil, WaitTimeout } from '../../src/sandbox/wait/wait-strategy.js';
import { ROOT } from '../helpers/lab.js';

const fixture = path.join(ROOT, 'test/fixtures/keep-alive/unref-await.ts');

describe('a command is not ended by an empty event loop', () => {
  it('held by keepAliveWhile, an await that only an unref’d timer ends settles; bare, node exits 13 without it', async () => {
    const held = await execa(process.execPath, ['--import', 'tsx', fixture], { reject: false });
    assert.equal(held.exitCode, 0, held.stderr);
    assert.equal(held.stdout.trim(), 'ended');
    const bare = await execa(process.execPath, ['--import', 'tsx', fixture, 'bare'], { reject: false });
    assert.equal(bare.exitCode, 13, 'the fixture no longer shows what keepAliveWhile is for');
    assert.equal(bare.stdout.trim(), '');
  });

  it('a readiness probe that never settles is given up at its timeout, with the reason', { timeout: 10_000 }, async () => {
    // Held open for 8 s, as the CLI holds a command: only the probes' unref'd deadlines can end the wait.
    const hold = setTimeout(() => undefined, 8000);
    const started = Date.now();
    await assert.rejects(
      waitUntil({ what: 'a probe that never answers', probe: () => new Promise(() => undefined) }, { timeoutMs: 600, intervalMs: 50 }),
      (err: unknown) => err instanceof WaitTimeout && /timeout/i.test(err.lastReason),
    );
    clearTimeout(hold);
    assert.ok(Date.now() - started < 8000);
  });
});
