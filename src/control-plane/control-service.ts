// lab.xds.v1.XdsControl: the lab sets the policy and reads what the control plane knows (its
// endpoints, the versions it serves, every client's ACKs and NACKs, the load reports).
import { status as grpcStatus, type sendUnaryData } from '@grpc/grpc-js';
import type { XdsControlHandlers } from '../grpc/generated/lab/xds/v1/XdsControl.js';
import type { Status } from '../grpc/generated/lab/xds/v1/Status.js';
import type { AdsServer } from './ads.js';
import type { ControlPlane } from './control-plane.js';
import type { LrsServer } from './lrs.js';
import { policyFromJson } from '../wire/index.js';
import type { EndpointSource } from './sources/source.js';

export function statusOf(plane: ControlPlane, ads: AdsServer, lrs: LrsServer, source: EndpointSource, now: number): Status {
  return {
    policyJson: JSON.stringify(plane.policy),
    versions: plane.snapshot().versions,
    endpoints: plane.endpoints.map((e) => ({
      id: e.id,
      hostAddress: e.hostAddress,
      clusterAddress: e.clusterAddress,
      zone: e.zone,
      weight: plane.policy.weights[e.id] ?? e.weight,
      health: plane.policy.health[e.id] ?? (e.healthy ? 'HEALTHY' : 'UNHEALTHY'),
    })),
    clients: ads.clients.map((c) => ({
      nodeId: c.nodeId,
      peer: c.peer,
      connected: c.connected,
      connectedAtMs: c.connectedAtMs,
      types: [...c.types].map(([type, t]) => ({
        type,
        sentVersion: t.sentVersion,
        sentAtMs: t.sentAtMs,
        ackedVersion: t.ackedVersion,
        ackedAtMs: t.ackedAtMs,
        nackedVersion: t.nackedVersion,
        nackError: t.nackError,
        nackedAtMs: t.nackedAtMs,
      })),
    })),
    loads: lrs.all(),
    source: source.kind,
    sourceOk: source.ok,
    sourceError: source.error,
    nowMs: now,
  };
}

export function controlService(
  plane: ControlPlane,
  ads: AdsServer,
  lrs: LrsServer,
  source: EndpointSource,
  now: () => number,
  /** Writes the kept state now: a push is answered once it is kept, so a restart right after finds it. */
  keep: () => Promise<void> = () => Promise.resolve(),
): XdsControlHandlers {
  const answer = (cb: sendUnaryData<Status>) => cb(null, statusOf(plane, ads, lrs, source, now()));
  return {
    SetPolicy(call, cb) {
      try {
        plane.setPolicy(policyFromJson(call.request.policyJson));
      } catch (err) {
        return cb({ code: grpcStatus.INVALID_ARGUMENT, details: `the policy cannot be served: ${(err as Error).message}` });
      }
      void keep().then(() => answer(cb));
    },
    GetStatus: (_call, cb) => answer(cb),
    ResetLoads(_call, cb) {
      lrs.reset();
      answer(cb);
    },
  };
}
