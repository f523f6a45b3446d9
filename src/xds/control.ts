// The lab's knobs on its xDS control plane (lab.xds.v1.XdsControl), as promises with deadlines.
import { credentials } from '@grpc/grpc-js';
import { labProtos, unary } from '../grpc/index.js';
import type { XdsControlClient } from '../grpc/generated/lab/xds/v1/XdsControl.js';
import type { Status__Output } from '../grpc/generated/lab/xds/v1/Status.js';
import type { XdsPolicy } from '../wire/index.js';

export type XdsStatus = Status__Output;

export class XdsControl {
  readonly client: XdsControlClient;

  constructor(readonly address: string) {
    this.client = new (labProtos().lab.xds.v1.XdsControl)(address, credentials.createInsecure());
  }

  status(timeoutMs = 2000): Promise<XdsStatus> {
    return unary((o, cb) => this.client.GetStatus({}, o, cb), timeoutMs);
  }
  async policy(timeoutMs = 2000): Promise<XdsPolicy> {
    return JSON.parse((await this.status(timeoutMs)).policyJson) as XdsPolicy;
  }
  setPolicy(policy: XdsPolicy): Promise<XdsStatus> {
    return unary((o, cb) => this.client.SetPolicy({ policyJson: JSON.stringify(policy) }, o, cb));
  }
  resetLoads(): Promise<XdsStatus> {
    return unary((o, cb) => this.client.ResetLoads({}, o, cb));
  }
  close(): void {
    this.client.close();
  }
}
