// The lab's knobs on one echo server (lab.control.v1.Control), as promises with deadlines.
import { Metadata, credentials, type ChannelOptions } from '@grpc/grpc-js';
import type { ControlClient } from './generated/lab/control/v1/Control.js';
import type { CallFault } from './generated/lab/control/v1/CallFault.js';
import type { Fault } from './generated/lab/control/v1/Fault.js';
import type { LinkFault } from './generated/lab/control/v1/LinkFault.js';
import type { Stats__Output } from './generated/lab/control/v1/Stats.js';
import type { ServedReport__Output } from './generated/lab/control/v1/ServedReport.js';
import { labProtos } from './load.js';
import { unary } from './unary.js';

export type EchoStats = Stats__Output;

export class EchoControl {
  readonly client: ControlClient;

  constructor(
    readonly address: string,
    options: ChannelOptions = {},
  ) {
    this.client = new (labProtos().lab.control.v1.Control)(address, credentials.createInsecure(), options);
  }

  getStats(timeoutMs?: number): Promise<EchoStats> {
    return unary((o, cb) => this.client.GetStats({}, o, cb), timeoutMs);
  }
  /** waitForReady: wait out a reconnect (a server that just restarted) instead of failing at once. */
  getServed(timeoutMs?: number, waitForReady = false): Promise<ServedReport__Output> {
    return unary((o, cb) => this.client.GetServed({}, new Metadata({ waitForReady }), o, cb), timeoutMs);
  }
  resetStats(): Promise<EchoStats> {
    return unary((o, cb) => this.client.ResetStats({}, o, cb));
  }
  setFault(fault: Fault): Promise<EchoStats> {
    return unary((o, cb) => this.client.SetFault({ fault }, o, cb));
  }
  setLinkFault(fault: LinkFault): Promise<EchoStats> {
    return unary((o, cb) => this.client.SetLinkFault({ fault }, o, cb));
  }
  /** The sidecar of a server of yours: replaces its per-method call faults (an echo server answers UNIMPLEMENTED). */
  setCallFaults(faults: CallFault[]): Promise<EchoStats> {
    return unary((o, cb) => this.client.SetCallFaults({ faults }, o, cb));
  }
  setHealth(serving: boolean): Promise<EchoStats> {
    return unary((o, cb) => this.client.SetHealth({ serving }, o, cb));
  }
  setConsulRegistration(registered: boolean): Promise<EchoStats> {
    return unary((o, cb) => this.client.SetConsulRegistration({ registered }, o, cb));
  }
  setWeight(weight: number): Promise<EchoStats> {
    return unary((o, cb) => this.client.SetWeight({ weight }, o, cb));
  }
  drain(graceMs: number): Promise<EchoStats> {
    return unary((o, cb) => this.client.Drain({ graceMs }, o, cb));
  }
  close(): void {
    this.client.close();
  }
}
