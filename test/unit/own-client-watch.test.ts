// The shell a client you run starts in (watchedShell): whenever the lab goes (here: the pipe it holds
// is closed, as a kill -9 closes it), the command's whole process group ends, even if the lab went
// before the watcher had started, and even if the command ignores SIGTERM. While the lab lives, the
// command's exit code, output and graceful stop are its own.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { execa } from 'execa';
import { watchedShell } from '../../src/scenario/own-client.js';

/** The live (not zombie) processes of a process group: the command's shell is its leader. */
async function alive(pgid: number): Promise<string[]> {
  const r = await execa('ps', ['-eo', 'pid=,pgid=,stat=,args=']);
  return String(r.stdout)
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([, g, stat]) => Number(g) === pgid && !stat!.startsWith('Z'))
    .map((f) => `${f[0]} ${f.slice(3).join(' ')}`);
}

async function gone(pgid: number, withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  while (Date.now() < until) {
    if ((await alive(pgid)).length === 0) return true;
    await sleep(25);
  }
  return false;
}

function start(command: string, graceMs = 300) {
  return execa('sh', ['-c', watchedShell(graceMs), 'lab-client', command], {
    detached: true,
    stdin: 'pipe',
    all: true,
    reject: false,
  });
}

describe('a client you run: the shell that watches the lab', () => {
  // A child of the command (a pipeline), so the group matters, not only the shell's pid.
  for (const closeAfterMs of [0, 5, 50, 400]) {
    it(`the lab gone ${closeAfterMs} ms after the start: the command and its children end`, async () => {
      const p = start('sleep 300 | cat; echo never');
      const pgid = p.pid!;
      if (closeAfterMs) await sleep(closeAfterMs);
      if (closeAfterMs >= 400) assert.equal((await alive(pgid)).length, 4, 'the shell, the watcher, sleep and cat run');
      p.stdin?.destroy(); // what the kernel does to the lab's end when the lab is killed
      assert.ok(await gone(pgid, 5000), `left running: ${(await alive(pgid)).join(', ')}`);
      const r = await p;
      assert.doesNotMatch(String(r.all), /never/);
    });
  }

  it('a command that ignores SIGTERM is killed after the grace', async () => {
    const p = start(`trap '' TERM; sleep 300; sleep 300`, 500);
    const pgid = p.pid!;
    await sleep(300);
    const t0 = Date.now();
    p.stdin?.destroy();
    await sleep(250);
    assert.ok((await alive(pgid)).length > 0, 'not killed before the grace');
    assert.ok(await gone(pgid, 5000), `left running: ${(await alive(pgid)).join(', ')}`);
    assert.ok(Date.now() - t0 >= 450, 'the grace was given');
    await p;
  });

  it('while the lab lives: the exit code and output are the command’s own, stdin is empty, and the watcher ends after the command', async () => {
    const p = start('read x; echo "read:[$x]"; echo to-stderr >&2; exit 3');
    const r = await p;
    assert.equal(r.exitCode, 3);
    assert.match(String(r.all), /read:\[\]/);
    assert.match(String(r.all), /to-stderr/);
    // Node closes its end of the pipe once the command has exited: the watcher then ends what the
    // command left in its group (here: nothing but itself), after the grace.
    assert.ok(await gone(p.pid!, 3000), `left running: ${(await alive(p.pid!)).join(', ')}`);
  });

  it('the lab’s own stop (SIGTERM to the group) lets the command stop gracefully; the watcher does not cut it short', async () => {
    // The command's handler takes 600 ms, longer than the grace: only the lab's SIGKILL may end it.
    const p = start(`trap 'sleep 0.6; echo stopped-well; exit 0' TERM; sleep 300 & wait`, 200);
    await sleep(300);
    process.kill(-p.pid!, 'SIGTERM');
    const r = await p;
    assert.equal(r.exitCode, 0);
    assert.match(String(r.all), /stopped-well/);
    process.kill(-p.pid!, 'SIGKILL');
    assert.ok(await gone(p.pid!, 3000));
  });
});
