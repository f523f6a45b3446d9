// The sidecar's settings, from its environment (the sandbox sets these per instance). What it shares
// with an echo server (its identity, addresses, weight, zone and registries) reads as the echo's.
import { configFromEnv, type EchoConfig } from '../config.js';
import type { HealthKind } from './probe.js';

export interface SidecarConfig extends Omit<EchoConfig, 'linkPort' | 'maxConnectionAgeMs'> {
  /** The server's gRPC port in the network namespace the sidecar owns (the server's container joined it). */
  serverPort: number;
  /** The sidecar's own gRPC port: its health service (what Consul's check asks when health is tcp). */
  controlPort: number;
  health: HealthKind;
  probeIntervalMs: number;
  probeBoundMs: number;
}

function int(env: NodeJS.ProcessEnv, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${key}=${raw}: expected a whole number from ${min} to ${max}`);
  return n;
}

export function sidecarConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SidecarConfig {
  const { linkPort: _l, maxConnectionAgeMs: _m, ...shared } = configFromEnv(env);
  const health = env.LAB_HEALTH ?? 'grpc';
  if (health !== 'grpc' && health !== 'tcp') throw new Error(`LAB_HEALTH=${health}: expected grpc or tcp`);
  const serverPort = int(env, 'LAB_SERVER_PORT', 0, 1, 65535);
  if (!serverPort) throw new Error('LAB_SERVER_PORT is not set: the sidecar needs the port of the server beside it');
  const probeIntervalMs = int(env, 'LAB_PROBE_INTERVAL_MS', 1000, 100, 60_000);
  return {
    ...shared,
    serverPort,
    controlPort: int(env, 'LAB_CONTROL_PORT', shared.port + 1, 1, 65535),
    health,
    probeIntervalMs,
    probeBoundMs: int(env, 'LAB_PROBE_BOUND_MS', Math.min(1000, probeIntervalMs), 50, probeIntervalMs),
  };
}
