// wire: what the rest of the lab may use of it.
export { type AgentCommand, type AgentLine, type AgentSpec } from './agent-protocol.js';
export { CONSUL_CHECK_TIMEOUT_MS, CONSUL_STALE_CHECK_HOLD_MS } from './consul-check.js';
export { type Fault, NO_FAULT, describeFault } from './echo-fault.js';
export { BACKEND_HEADER, CALL_ID_HEADER, CLIENT_HEADER } from './headers.js';
export { FAILURE_STATUS_NAMES, statusCode, statusName, type StatusName } from './grpc-status.js';
export { type LinkFault, NO_LINK_FAULT, appliesTo, describeLinkFault, isIdle, normalizeLinkFault } from './link-fault.js';
export { type ConsulMeta, type ConsulMetaRecord, type EtcdRecord, type EtcdRegistration, parseEtcdRecord } from './registration.js';
export { DEFAULT_POLICY, type HealthStatus, type RouteRule, type XdsPolicy, policyFromJson } from './xds-policy.js';
