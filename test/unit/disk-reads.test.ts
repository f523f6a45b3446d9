// Every file the lab reads back from disk is parsed against its shape, never cast: a corpus of
// damaged contents for each (not JSON, the wrong type, a field missing or of the wrong kind, an
// array, null) is either named with the file and what is wrong (a report), or counts as no file (a
// marker, the sandbox's recorded shape, the image hash cache), and never reaches the code as a value
// of the wrong shape.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InputError } from '../../src/errors.js';
import { readReport, readXdsEvents } from '../../src/report/read.js';
import { claimSandbox, LABEL, runningShape, type ContainerRuntime } from '../../src/sandbox/index.js';

const DAMAGED = ['', 'not json', '5', '"x"', 'null', '[]', '[1,2]', '{}', '{"pid":"12"}', '{"session":7}', '{"echo":"3","session":"s"}'];

const cache = mkdtempSync(path.join(tmpdir(), 'lab-disk-'));
const before_ = process.env.LAB_CACHE;
before(() => {
  process.env.LAB_CACHE = cache;
  mkdirSync(path.join(cache, 'run'), { recursive: true });
});
after(() => {
  if (before_ === undefined) delete process.env.LAB_CACHE;
  else process.env.LAB_CACHE = before_;
  rmSync(cache, { recursive: true, force: true });
});

/** A runtime that lists what it is given and does nothing else (a unit test's fake). */
const listing = (sessionLabel: string): ContainerRuntime =>
  ({
    listContainers: async () => [
      { id: 'a', name: 'p-echo-1', state: 'running', labels: { [LABEL.role]: 'echo' } },
      { id: 'b', name: 'p-echo-2', state: 'running', labels: { [LABEL.role]: 'echo' } },
    ],
    listNetworks: async () => [{ id: 'n', name: 'p', labels: { [LABEL.session]: sessionLabel } }],
  }) as unknown as ContainerRuntime;

describe('files read back from disk are parsed, not cast', () => {
  it('a damaged owner marker is no marker: the next command claims the sandbox instead of waiting on "pid undefined"', async () => {
    for (const text of DAMAGED) {
      writeFileSync(path.join(cache, 'run', 'p1.json'), text);
      const claim = await claimSandbox(listing('s'), 'p1', 'lab test');
      claim.release();
    }
    // A whole marker of a live process still refuses (the parse keeps what is right).
    writeFileSync(path.join(cache, 'run', 'p1.json'), JSON.stringify({ pid: process.ppid, command: 'lab up', startedAt: 'now', host: os.hostname() }));
    await assert.rejects(claimSandbox(listing('s'), 'p1', 'lab test'), /another lab command is changing the sandbox p1: `lab up`/);
  });

  it('a damaged shape record is no record: the shape comes from the containers', async () => {
    for (const text of DAMAGED) {
      writeFileSync(path.join(cache, 'run', 'p2.shape.json'), text);
      const shape = await runningShape(listing('s'), 'p2');
      assert.equal(shape.echo, 2, text);
    }
    writeFileSync(path.join(cache, 'run', 'p2.shape.json'), JSON.stringify({ session: 's', echo: 5 }));
    assert.equal((await runningShape(listing('s'), 'p2')).echo, 5);
  });

  it("a report's damaged xDS event names its line; lines of other types are passed over", () => {
    const dir = mkdtempSync(path.join(cache, 'report-'));
    const good = { type: 'xds', t: 1000, versions: { CDS: '1' }, clients: [], sourceOk: true, lb: 'round_robin' };
    writeFileSync(path.join(dir, 'events.jsonl'), `${JSON.stringify({ type: 'step', t: 0 })}\n${JSON.stringify(good)}\n`);
    assert.deepEqual(readXdsEvents(dir), [good]);
    for (const bad of [
      { ...good, t: -1 },
      { ...good, clients: 'none' },
      { ...good, versions: { CDS: 1 } },
      { type: 'xds' },
      { ...good, clients: [{ client: 'a' }] },
    ]) {
      writeFileSync(path.join(dir, 'events.jsonl'), `${JSON.stringify({ type: 'step', t: 0 })}\n${JSON.stringify(bad)}\n`);
      assert.throws(
        () => readXdsEvents(dir),
        (err: unknown) => err instanceof InputError && /events\.jsonl:2 is damaged: /.test(err.message),
        JSON.stringify(bad),
      );
    }
  });

  it("a report's damaged result.json is named with the field that is wrong", () => {
    const dir = mkdtempSync(path.join(cache, 'report-'));
    writeFileSync(path.join(dir, 'timeseries.json'), '{}');
    for (const text of DAMAGED) {
      writeFileSync(path.join(dir, 'result.json'), text);
      assert.throws(
        () => readReport(dir),
        (err: unknown) => err instanceof InputError && /result\.json is damaged: /.test(err.message),
        text,
      );
    }
  });
});
