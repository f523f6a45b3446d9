// The registration record, read back as every reader reads it: a value that is not a JSON object is
// no registration (the readers skip it), and what the echo server writes comes back field for field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEtcdRecord, type EtcdRegistration } from '../../src/wire/registration.js';

describe('the etcd registration record (src/wire)', () => {
  it('reads back what the echo server writes', () => {
    const written: EtcdRegistration = {
      id: 'echo-2',
      service: 'echo',
      host: '127.77.1.2:50051',
      cluster: '10.5.0.3:50051',
      weight: 3,
      zone: 'a',
      metadata: { version: 'v2' },
    };
    assert.deepEqual(parseEtcdRecord(JSON.stringify(written)), written);
  });

  it('is no registration when the value is not a JSON object', () => {
    for (const value of ['', 'not json', '5', '"echo-2"', 'null', '[1,2]']) assert.equal(parseEtcdRecord(value), undefined, value);
    assert.deepEqual(parseEtcdRecord('{}'), {});
  });
});
