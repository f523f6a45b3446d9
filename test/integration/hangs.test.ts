// No input hangs the lab (project labhang, 127.94.x.y). Each case once hung or printed a stack
// trace: the process must end by itself with its exit code and a message, leaving nothing. The view
// cases run on a real pseudo-terminal (util-linux `script`), as a user's terminal would be: raw mode
// and the frame timer must let go when the sandbox does not come up.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';
import { writeReport } from '../../src/report/write.js';
import { eventually, lab, leftovers, ROOT, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();
// The lab's CLI exits 3 s after a command ends even when a handle is left open; here a leak must show as a hang.
process.env.LAB_STRICT_EXIT = '1';

const PROJECT = 'labhang';

/** `lab ...args` on a pseudo-terminal; `keys` are typed once `typeWhen` shows in its output. */
async function labOnTerminal(args: string[], opts: { keys?: string; typeWhen?: RegExp } = {}) {
  const cmd = [process.execPath, path.join(ROOT, 'bin/lab.js'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = execa('script', ['-qefc', cmd, '/dev/null'], {
    cwd: ROOT,
    reject: false,
    timeout: 120_000,
    env: { TERM: 'xterm-256color', COLUMNS: '120', LINES: '40' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  if (opts.keys) {
    await eventually('the view shows what to wait for', async () => opts.typeWhen!.test(out), 90_000);
    child.stdin!.write(opts.keys);
  }
  const r = await child;
  return { exitCode: r.exitCode, timedOut: r.timedOut, out };
}

describe('no input hangs the lab or shows a stack trace', () => {
  const file = testTopologyFile(PROJECT, 94);
  const dir = tempDir('lab-hang-');
  const scenario = path.join(dir, 'short.yaml');
  writeFileSync(scenario, 'name: short\nduration: 5s\nclients:\n  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 2 }\nsteps: []\n');

  after(async () => {
    await lab(['-f', file, 'down']);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('`lab traffic -H "Bad Key=v"` says what is wrong with the key and exits 2 (it once printed 0/s lines forever)', async () => {
    const r = await lab(['-f', file, 'traffic', '-H', 'Bad Key=v', '-d', '1s'], { timeout: 30_000 });
    assert.equal(r.exitCode, 2, r.stdout);
    assert.match(r.stderr, /--metadata Bad Key=v: the key "bad key" contains illegal characters/);
    assert.equal(r.stdout, '');
  });

  it('a named pipe as a scenario is refused at once, by lab play and lab check (it once blocked with no word)', async () => {
    const fifo = path.join(dir, 'story.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const args of [
      ['play', fifo],
      ['check', fifo],
    ]) {
      const r = await lab(['-f', file, ...args], { timeout: 30_000 });
      assert.equal(r.exitCode, 2, `${args[0]}: ${r.stdout}${r.stderr}`);
      assert.match(r.stdout + r.stderr, /it is not a regular file \(a named pipe\)/);
    }
  });

  it('the view, when the sandbox cannot come up (an address taken), gives the terminal back and exits 3 with the reason', async () => {
    const holder = createServer().listen(2379, '127.94.0.2');
    await new Promise((r) => holder.once('listening', r));
    try {
      const r = await labOnTerminal(['-f', file, 'play', scenario]);
      assert.equal(r.timedOut, false, `it ended by itself:\n${r.out.slice(-800)}`);
      assert.equal(r.exitCode, 3, r.out.slice(-800));
      assert.match(r.out, /etcd cannot publish 127\.94\.0\.2:2379\/tcp: the address is in use by another program/);
      assert.doesNotMatch(r.out, /\n\s+at /, 'no stack trace');
      assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    } finally {
      holder.close();
    }
  });

  it('q while the sandbox comes up in the view: what that bring-up started is removed, and it exits 130', async () => {
    const r = await labOnTerminal(['-f', file, 'play', scenario], { keys: 'q', typeWhen: /created|waiting/ });
    assert.equal(r.timedOut, false, `it ended by itself:\n${r.out.slice(-800)}`);
    assert.equal(r.exitCode, 130, r.out.slice(-800));
    assert.match(r.out, /interrupted: removed the containers this `up` had started/);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('lab report on a folder that is not a report, a damaged one and a read-only one: exit 2 with a hint, no stack trace', async () => {
    const good = path.join(dir, 'report');
    writeReport(good, {
      name: 'r',
      file: 'r.yaml',
      text: 'name: r\n',
      endMs: 1000,
      verdict: { ok: true, interrupted: false, expectations: [], actions: [] },
      buckets: new Map([['rr', [{ t: 1000, total: { calls: 1, ok: 1, errors: {}, extraAttempts: 0, p50Ms: 1, p99Ms: 1, maxMs: 1 }, backends: {} }]]]),
      events: [],
    });
    const ok = await lab(['report', good]);
    assert.equal(ok.exitCode, 0, ok.stderr);

    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const damaged = path.join(dir, 'damaged');
    mkdirSync(damaged);
    writeFileSync(path.join(damaged, 'result.json'), '{"name": 3}');
    writeFileSync(path.join(damaged, 'timeseries.json'), '{}');
    const notJson = path.join(dir, 'not-json');
    mkdirSync(notJson);
    writeFileSync(path.join(notJson, 'result.json'), '{"name": "r", "file"');
    for (const [folder, message] of [
      [empty, /is not a lab report folder: it has no result\.json/],
      [damaged, /result\.json is damaged: name: expected text/],
      [notJson, /result\.json is damaged: not JSON/],
      [path.join(dir, 'nowhere'), /nowhere: no such folder/],
    ] as const) {
      const r = await lab(['report', folder]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.match(r.stderr, /→ lab play writes a report folder/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }

    // Read-only: a read-only bind mount as root (root writes through permission bits), else chmod.
    const root = process.getuid?.() === 0;
    if (root) {
      execFileSync('mount', ['--bind', good, good]);
      execFileSync('mount', ['-o', 'remount,bind,ro', good]);
    } else chmodSync(good, 0o555);
    try {
      const r = await lab(['report', good]);
      assert.equal(r.exitCode, 2, r.stderr);
      assert.match(r.stderr, /cannot write into .*(EROFS|EACCES)/);
      assert.match(r.stderr, /Copy the folder somewhere you can write/);
      const play = await lab(['-f', file, 'play', scenario, '--report-dir', path.join(good, 'sub')]);
      assert.equal(play.exitCode, 2, play.stderr);
      assert.match(play.stderr, /the report folder .*sub cannot be written: .*(EROFS|EACCES)/);
      assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] }, 'refused before anything started');
    } finally {
      if (root) execFileSync('umount', [good]);
      else chmodSync(good, 0o755);
    }
  });
});
