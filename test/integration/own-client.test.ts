// Your own client in the lab, on a real sandbox (project labown on 127.95.x.y): the Python example
// (gRPC C-core, Debian's python3-grpcio) started by `lab play`, watched from the servers' side.
// Expectations hold through a kill with round_robin and fail with pick_first; the servers' counts
// equal the echo servers' own counters; the command is stopped and leaves no process behind, also
// after Ctrl-C and kill -9 of `lab play`; a command that exits early fails the run.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { EchoControl } from '../../src/grpc/index.js';
import { down, getRuntime } from '../../src/sandbox/index.js';
import { ROOT, eventually, lab, leftovers, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labown';
const dir = tempDir('lab-own-');
// A copy of the example under a path of this test's own: pgrep finds exactly our processes.
const client = path.join(dir, 'echo_client.py');
copyFileSync(path.join(ROOT, 'examples/clients/python/echo_client.py'), client);

const scenario = (name: string, text: string) => {
  const f = path.join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
};
const library = (lb: string) =>
  readFileSync(path.join(ROOT, 'scenarios/your-client-python.yaml'), 'utf8')
    .replace('../examples/clients/python/echo_client.py', client)
    .replace('--lb round_robin', `--lb ${lb}`);

/** The example's processes still running (ours only: our copy's path). */
async function running(): Promise<string[]> {
  const r = await execa('pgrep', ['-f', client], { reject: false });
  return String(r.stdout).split('\n').filter(Boolean);
}

describe('your own client (the Python example) in lab play', () => {
  const rt = getRuntime();
  const file = testTopologyFile(PROJECT, 95);

  before(async () => {
    await down(rt, PROJECT);
  });
  after(async () => {
    await down(rt, PROJECT);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    assert.deepEqual(await running(), [], 'no client process left');
  });

  it('the library scenario passes with round_robin: shares, the kill, and the errors the servers returned', async () => {
    const reportDir = path.join(dir, 'report-rr');
    const r = await lab(['-f', file, 'play', scenario('rr', library('round_robin')), '--report-dir', reportDir]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /py: share ≈ 1:1:1 ± 8% within 3s\s+pass/);
    assert.match(r.stdout, /py: errors rate 25% ± 8%, UNAVAILABLE >0 within 3s\s+pass/);
    assert.match(r.stdout, /YOUR CLIENT[\s\S]*py .*stopped by the lab/);
    assert.match(
      readFileSync(path.join(reportDir, 'client-py.log'), 'utf8'),
      /calling ipv4:127\.95\.1\.1:50051,127\.95\.1\.2:50051,127\.95\.1\.3:50051 with round_robin/,
    );
    assert.match(readFileSync(path.join(reportDir, 'summary.md'), 'utf8'), /## Your clients/);
    assert.deepEqual(await running(), []);
  });

  it('fails with pick_first: the client sticks to one backend', async () => {
    const r = await lab(['-f', file, 'play', scenario('pf', library('pick_first')), '--report-dir', path.join(dir, 'report-pf')]);
    assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /py: share ≈ 1:1:1 ± 8% within 3s\s+FAIL/);
    assert.deepEqual(await running(), []);
  });

  it("counts what the servers served exactly: per backend, equal to the echo servers' own counters", async () => {
    const controls = [1, 2, 3].map((n) => new EchoControl(`127.95.1.${n}:50052`));
    const before = await Promise.all(controls.map((c) => c.getStats()));
    const reportDir = path.join(dir, 'report-counts');
    const f = scenario(
      'counts',
      `name: counts
duration: 4s
clients:
  py: { run: "/usr/bin/python3 ${client} --rate 300" }
`,
    );
    const r = await lab(['-f', file, 'play', f, '--report-dir', reportDir]);
    assert.equal(r.exitCode, 0, `${r.stdout}\n${r.stderr}`);
    const afterStats = await Promise.all(controls.map((c) => c.getStats()));
    controls.forEach((c) => c.close());
    const series = JSON.parse(readFileSync(path.join(reportDir, 'timeseries.json'), 'utf8')) as Record<
      string,
      Array<{ backends: Record<string, { calls: number }> }>
    >;
    const seen = (backend: string) => series.py.reduce((n, b) => n + (b.backends[backend]?.calls ?? 0), 0);
    for (const n of [1, 2, 3]) {
      const served = Number(afterStats[n - 1].calls) - Number(before[n - 1].calls);
      assert.ok(served > 100, `echo-${n} served ${served}`);
      assert.equal(seen(`echo-${n}`), served, `echo-${n}`);
    }
  });

  it('a command that exits early fails the run at once, and says how it ended', async () => {
    const f = scenario(
      'early',
      `name: early
duration: 20s
clients:
  bad: { run: "echo starting; sleep 1; exit 3" }
`,
    );
    const t0 = Date.now();
    const r = await lab(['-f', file, 'play', f, '--report-dir', path.join(dir, 'report-early')]);
    assert.equal(r.exitCode, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /bad: exited with code 3 at \d+\.\ds, before the end/);
    assert.ok(Date.now() - t0 < 18_000, 'the run ended when the client did, not at its 20 s');
    assert.equal(readFileSync(path.join(dir, 'report-early', 'client-bad.log'), 'utf8'), 'starting\n');
  });

  for (const [how, signal] of [
    ['Ctrl-C', 'SIGINT'],
    ['kill -9', 'SIGKILL'],
  ] as const) {
    it(`${how} of lab play leaves no client process behind`, async () => {
      const f = scenario(
        `stop-${signal}`,
        `name: stopped
duration: 60s
clients:
  # Its output goes nowhere: a closed pipe must not be what stops it (SIGPIPE would), the lab must.
  py: { run: "/usr/bin/python3 ${client} --rate 50 > /dev/null" }
`,
      );
      const child = execa(
        process.execPath,
        [path.join(ROOT, 'bin/lab.js'), '-f', file, 'play', f, '--no-tui', '--report-dir', path.join(dir, `report-${signal}`)],
        {
          reject: false,
          cwd: ROOT,
        },
      );
      await eventually('the client runs', async () => (await running()).length > 0, 60_000);
      child.kill(signal);
      await child;
      await eventually('no client process', async () => (await running()).length === 0, 10_000);
      if (signal === 'SIGKILL') await lab(['-f', file, 'down']); // the next command sweeps the sandbox
    });
  }

  it('refuses settings of the lab’s own clients on a client you run', async () => {
    const f = scenario('wrong', `name: wrong\nduration: 2s\nclients:\n  py: { run: "python3 x.py", lb: round_robin }\n`);
    const r = await lab(['-f', file, 'check', f]);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr + r.stdout, /wrong\.yaml:4:\d+.*clients\.py\.lb: a client you run yourself \(run:\) takes only run, name and grace/);
    assert.ok(existsSync(f));
  });
});
