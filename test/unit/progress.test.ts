import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SandboxEvent } from '../../src/sandbox/events.js';
import { initialProgress, plainLine, progressReducer } from '../../src/cli/ui/up-progress.js';

describe('up progress reducer', () => {
  it('folds an up into rows: image for every replica, then ready with its time', () => {
    const events: SandboxEvent[] = [
      { type: 'image', service: 'echo', state: 'assembling', ref: 'lab/echo:abc' },
      { type: 'instance', instance: 'etcd', state: 'created' },
      { type: 'instance', instance: 'echo-1', state: 'waiting', detail: 'echo-1 healthy and registered' },
      { type: 'instance', instance: 'echo-1', state: 'ready', ms: 1234 },
      { type: 'instance', instance: 'echo-2', state: 'failed', detail: 'timeout' },
    ];
    const s = events.reduce(progressReducer, initialProgress(['etcd', 'echo-1', 'echo-2']));
    assert.deepEqual(
      s.rows.map((r) => [r.name, r.state, r.detail, r.done, r.failed]),
      [
        ['etcd', 'created', 'created', false, false],
        ['echo-1', 'ready', 'ready in 1.2 s', true, false],
        ['echo-2', 'failed', 'timeout', false, true],
      ],
    );
  });

  it('writes one plain line per event for pipes and CI', () => {
    assert.equal(plainLine({ type: 'instance', instance: 'echo-1', state: 'ready', ms: 900 }), 'echo-1: ready in 0.9 s');
    assert.equal(plainLine({ type: 'image', service: 'etcd', state: 'assembled', ref: 'lab/etcd:1', ms: 40 }), 'etcd: image assembled lab/etcd:1 (40 ms)');
    assert.equal(plainLine({ type: 'image', service: 'etcd', state: 'pulling', ref: 'x', progress: '10%' }), undefined);
  });
});
