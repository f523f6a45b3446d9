// The CLI as a user runs it (a real process): refusals that start nothing, Docker unreachable,
// a port taken, kill -9 in the middle of `up`, and `down` after it.
import { setupLab } from '../../src/setup.js';
import assert from 'node:assert/strict';
import { createServer as createNetServer, type Server } from 'node:net';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cacheDir } from '../../src/util/paths.js';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { ROOT, lab, leftovers, tempDir, testTopologyFile } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labcli';

describe('lab CLI', () => {
  const file = testTopologyFile(PROJECT, 79);

  after(async () => {
    await lab(['-f', file, 'down']);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('finds its project upward from the working folder, like git; outside any project, the packaged topology', async () => {
    const proj = tempDir('lab-project-');
    mkdirSync(path.join(proj, 'compose'));
    mkdirSync(path.join(proj, 'scenarios'));
    mkdirSync(path.join(proj, 'a', 'b'), { recursive: true });
    const own = readFileSync(path.join(ROOT, 'compose/lab.yaml'), 'utf8').replace(/project: lab\b/, 'project: labfound');
    writeFileSync(path.join(proj, 'compose/lab.yaml'), own);
    copyFileSync(path.join(ROOT, 'scenarios/tour.yaml'), path.join(proj, 'scenarios/mine.yaml'));
    const nested = path.join(proj, 'a', 'b');
    const found = await lab(['config'], { cwd: nested, env: { LAB_TOPOLOGY: '' } });
    assert.equal(found.exitCode, 0, found.stderr);
    assert.match(found.stdout, /"project": "labfound"/);
    // lab check with no file checks the project's own library, not the package's.
    const checked = await lab(['check', '--json'], { cwd: nested, env: { LAB_TOPOLOGY: '' } });
    assert.equal(checked.exitCode, 0, checked.stderr);
    assert.deepEqual(
      (JSON.parse(checked.stdout) as { results: Array<{ file: string }> }).results.map((f) => path.basename(f.file)),
      ['mine.yaml'],
    );
    const outside = tempDir('lab-nowhere-');
    const packaged = await lab(['config'], { cwd: outside, env: { LAB_TOPOLOGY: '' } });
    assert.equal(packaged.exitCode, 0, packaged.stderr);
    assert.match(packaged.stdout, /"project": "lab"/);
  });

  it('refuses a malformed topology with file:line:column, exit 2, and starts nothing', async () => {
    const bad = path.join(tempDir('lab-bad-'), 'lab.yaml');
    writeFileSync(bad, `x-lab: { project: ${PROJECT} }\nservices:\n  etcd:\n    image: x\n    x-lab: { role: etcd }\n    ports: [ "127.79.0.2:2379:2379" \n`);
    const r = await lab(['-f', bad, 'up']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, new RegExp(`^✖ ${bad.replace(/[/.]/g, '\\$&')}:\\d+:\\d+: invalid YAML`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('refuses a schema error in the shipped layout with its position', async () => {
    const typo = testTopologyFile(PROJECT, 79, (doc) => doc.setIn(['services', 'echo', 'deploy', 'replicas'], 'three'));
    const r = await lab(['-f', typo, 'up']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /lab\.yaml:\d+:\d+: services\.echo\.deploy\.replicas: expected a number, found "three"/);
  });

  it('names the flag when a flag value is wrong, exit 2', async () => {
    const r = await lab(['-f', file, 'up', '--echo', 'many']);
    assert.equal(r.exitCode, 2);
    assert.match(r.stderr, /--echo expects a whole number from 1 to 250, found "many"/);
    const unknown = await lab(['upp']);
    assert.equal(unknown.exitCode, 2);
    assert.match(unknown.stderr, /unknown command 'upp'[\s\S]*Did you mean up\?/);
  });

  it('says Docker is not answering, how to start it, and exits 3 (the environment) fast when the socket is absent', async () => {
    const r = await lab(['-f', file, 'up'], { env: { DOCKER_HOST: 'unix:///tmp/lab-no-such-docker.sock' } });
    assert.equal(r.exitCode, 3);
    assert.match(r.stderr, /Docker is not answering at \/tmp\/lab-no-such-docker\.sock \(ENOENT\)/);
    assert.match(r.stderr, /dockerd/);
    process.stdout.write(`# lab up with no Docker exited in ${r.ms} ms\n`);
  });

  it('gives up on a Docker socket that accepts but never answers, instead of hanging', async () => {
    const sock = path.join(tempDir('lab-sock-'), 'docker.sock');
    const silent: Server = createNetServer(() => undefined).listen(sock);
    try {
      const r = await lab(['-f', file, 'up'], { env: { DOCKER_HOST: `unix://${sock}` } });
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /Docker is not answering/);
      process.stdout.write(`# lab up with a silent Docker socket exited in ${r.ms} ms\n`);
    } finally {
      silent.close();
    }
  });

  it('refuses to start when an address it must publish is taken, naming it, and leaves nothing', async () => {
    const holder = createNetServer().listen(50051, '127.79.1.2');
    await new Promise((r) => holder.once('listening', r));
    try {
      const r = await lab(['-f', file, 'up']);
      assert.equal(r.exitCode, 3);
      assert.match(r.stderr, /echo-2 cannot publish 127\.79\.1\.2:50051\/tcp: the address is in use by another program/);
      assert.match(r.stderr, /ss -lntup/);
      assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    } finally {
      holder.close();
    }
  });

  it('kill -9 in the middle of up, then down: nothing labelled remains', async () => {
    const child = execa(process.execPath, [path.join(ROOT, 'bin/lab.js'), '-f', file, 'up'], { reject: false, cwd: ROOT });
    // Wait until up has started creating containers, then kill it without a chance to clean up.
    const t0 = Date.now();
    while ((await leftovers(PROJECT)).containers.length === 0 && Date.now() - t0 < 60_000) await sleep(20);
    child.kill('SIGKILL');
    await child;
    assert.ok((await leftovers(PROJECT)).containers.length > 0, 'the kill came after containers existed');
    const r = await lab(['-f', file, 'down']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  it('kill -9 of lab play mid-run: a second command is refused while it lives; after, the next lab status sweeps all it left', async () => {
    const scenario = path.join(tempDir('lab-kill9-'), 'long.yaml');
    writeFileSync(
      scenario,
      'name: long\nduration: 60s\nclients:\n  rr: { target: "etcd:///echo", lb: round_robin, concurrency: 2 }\nsteps:\n  - { at: 1s, pause: echo-2 }\n',
    );
    const child = execa(process.execPath, [path.join(ROOT, 'bin/lab.js'), '-f', file, 'play', scenario, '--no-tui'], { reject: false, cwd: ROOT });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const t0 = Date.now();
    while (!/freeze \(docker pause\) echo-2/.test(out) && Date.now() - t0 < 90_000) await sleep(50);
    // While it runs, another command that would change the sandbox is refused, naming it.
    const other = await lab(['-f', file, 'up']);
    assert.equal(other.exitCode, 3, other.stdout);
    assert.match(other.stderr, new RegExp(`another lab command is changing the sandbox ${PROJECT}: \`lab -f \\S+ play \\S+ --no-tui\` \\(pid ${child.pid}`));
    child.kill('SIGKILL');
    await child;
    assert.ok((await leftovers(PROJECT)).containers.length >= 5, 'the sandbox was there when it died');
    const eventLogs = () => readdirSync(path.join(cacheDir(), 'run')).filter((f) => f.startsWith(`events-${child.pid}-`));
    assert.equal(eventLogs().length, 1, 'its event log was being written');
    const s = await lab(['-f', file, 'status']);
    assert.match(
      s.stderr,
      new RegExp(
        `a previous \`lab -f \\S+ play \\S+ --no-tui\` \\(pid ${child.pid}, started [^)]+\\) died without cleaning up: removed what it left \\(5 container\\(s\\), 1 network\\(s\\)\\)`,
      ),
    );
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
    assert.deepEqual(eventLogs(), [], 'and its event log went with it');
    // Once swept, the next command is quiet about it.
    const again = await lab(['-f', file, 'status']);
    assert.doesNotMatch(again.stderr, /died without cleaning up/);
  });

  it('up, status --json and down as a user runs them', async () => {
    const u = await lab(['-f', file, 'up']);
    assert.equal(u.exitCode, 0, u.stderr);
    assert.match(u.stdout, /echo-3\s+created\s+127\.79\.1\.3:50051\s+echo-3:50051/);
    const s = await lab(['-f', file, 'status', '--json']);
    assert.equal(s.exitCode, 0, s.stderr);
    const report = JSON.parse(s.stdout) as {
      services: Array<{ name: string; container: string; health: string; consul?: { check?: string }; etcd?: { ttl?: number } }>;
    };
    const echo1 = report.services.find((x) => x.name === 'echo-1')!;
    assert.equal(echo1.container, 'running');
    assert.equal(echo1.health, 'SERVING');
    assert.equal(echo1.consul?.check, 'passing');
    assert.ok((echo1.etcd?.ttl ?? 0) > 0);
    const d = await lab(['-f', file, 'down']);
    assert.equal(d.exitCode, 0, d.stderr);
    assert.match(d.stdout, /removed 5 container\(s\) and 1 network\(s\) of labcli/);
    const again = await lab(['-f', file, 'down']);
    assert.match(again.stdout, /nothing to remove/);
    // down removes only what is labelled: a plain container of someone else's survives
    const other = await execa('docker', ['network', 'ls', '-q', '--filter', 'name=bridge']);
    assert.ok(other.stdout.trim().length > 0);
  });
});
