// A traffic client's service config: passed to grpc-js verbatim (loadBalancingConfig, methodConfig
// with retryPolicy / hedgingPolicy / timeout / waitForReady). `--lb round_robin` is shorthand for
// {"loadBalancingConfig": [{"round_robin": {}}]}; `{"wrr_smooth": {"maxFails": 3}}` (one balancer
// with its options) for {"loadBalancingConfig": [{"wrr_smooth": {"maxFails": 3}}]}; any other JSON
// object is a whole service config, whose keys are checked (grpc-js ignores the ones it does not know).
import { Channel, credentials, experimental, type LoadBalancingConfig } from '@grpc/grpc-js';
import { InputError } from '../../errors.js';
import { closest } from '../../util/suggest.js';
import { knownBalancers } from '../balancers/index.js';
import { GRPC_JS_XDS_BALANCERS } from '../origin.js';

export interface ServiceConfigJson {
  loadBalancingConfig?: object[];
  methodConfig?: object[];
  [key: string]: unknown;
}

/** What a bare name means for policies whose empty config is not valid or not useful. */
const DEFAULTS: Record<string, object> = {
  outlier_detection: { child_policy: [{ round_robin: {} }] },
  // grpc-js reads snake_case keys. Load reports out of band (the echo servers serve ORCA's
  // OpenRcaService; per-call reports are too slow in grpc-js 1.14), and a 1 s blackout, not 10 s.
  weighted_round_robin: { enable_oob_load_report: true, oob_load_reporting_period: '1s', blackout_period: '1s', weight_update_period: '0.5s' },
};

export function serviceConfigFrom(lb: string | object | undefined): ServiceConfigJson {
  if (lb === undefined) return { loadBalancingConfig: [{ pick_first: {} }] };
  let config: ServiceConfigJson;
  if (typeof lb === 'object') config = wholeOrShorthand(lb);
  else if (/^\s*[[{]/.test(lb)) {
    try {
      config = wholeOrShorthand(JSON.parse(lb));
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(`--lb: not valid JSON: ${(err as Error).message}`);
    }
  } else {
    const name = lb.trim();
    // grpc-js-xds's (ring_hash): registered only once an xds: target was dialled; said plainly below either way.
    if (!experimental.isLoadBalancerNameRegistered(name) && !GRPC_JS_XDS_BALANCERS.includes(name)) {
      const guess = closest(name, knownBalancers(), 4);
      throw new InputError(`--lb: unknown balancer "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}`, {
        hint: `Known: ${knownBalancers().join(', ')}; or pass a service config JSON.`,
      });
    }
    config = { loadBalancingConfig: [{ [name]: DEFAULTS[name] ?? {} }] };
  }
  validateServiceConfig(config);
  return config;
}

/** The keys of a service config (gRFC A2 and grpc-js's); anything else is a typo grpc-js would ignore. */
const SERVICE_CONFIG_KEYS = ['loadBalancingConfig', 'loadBalancingPolicy', 'methodConfig', 'retryThrottling', 'healthCheckConfig'];

const notAnObject = (found: unknown) =>
  new InputError(`service config: expected a JSON object such as {"loadBalancingConfig": [{"round_robin": {}}]}, found ${JSON.stringify(found)}`);

/** `{"name": {...options}}` with one balancer name is shorthand; otherwise a service config, keys checked. */
function wholeOrShorthand(lb: unknown): ServiceConfigJson {
  if (lb === null || typeof lb !== 'object' || Array.isArray(lb)) throw notAnObject(lb);
  const keys = Object.keys(lb);
  const isBalancer = (k: string) => experimental.isLoadBalancerNameRegistered(k) || GRPC_JS_XDS_BALANCERS.includes(k);
  if (keys.length === 1 && isBalancer(keys[0])) return { loadBalancingConfig: [lb] };
  for (const key of keys) {
    if (isBalancer(key))
      throw new InputError(
        `service config: "${key}" is a balancer: name it alone ({"${key}": {...}}) or inside loadBalancingConfig, not beside ${keys.filter((k) => k !== key).join(', ')}`,
      );
    if (!SERVICE_CONFIG_KEYS.includes(key)) {
      const guess = closest(key, [...SERVICE_CONFIG_KEYS, ...knownBalancers()], 4);
      throw new InputError(
        `service config: unknown key "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; a service config has ${SERVICE_CONFIG_KEYS.join(', ')}, or name one balancer alone: {"wrr_smooth": {"maxFails": 3}}`,
      );
    }
  }
  return lb as ServiceConfigJson;
}

/** grpc-js's own validation, so a bad config is refused before any channel exists. */
export function validateServiceConfig(config: ServiceConfigJson): void {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw notAnObject(config);
  for (const key of ['loadBalancingConfig', 'methodConfig'] as const) {
    if (config[key] !== undefined && !Array.isArray(config[key]))
      throw new InputError(
        `service config: ${key} must be a list, e.g. ${key === 'loadBalancingConfig' ? '[{"round_robin": {}}]' : '[{"name": [{"service": "grpc.examples.echo.Echo"}], "timeout": "1s"}]'}, found ${JSON.stringify(config[key])}`,
      );
  }
  if (config.healthCheckConfig !== undefined)
    throw new InputError(
      'service config: healthCheckConfig does nothing in grpc-js (it does not implement client-side health checking, gRFC A17, and never reads the key)',
      { hint: 'The lab\'s own health_checked balancer does it: {"health_checked": {"childPolicy": [{"round_robin": {}}]}}.' },
    );
  const waits = (Array.isArray(config.methodConfig) ? config.methodConfig : []).some((m) => m && typeof m === 'object' && 'waitForReady' in m);
  if (waits)
    throw new InputError(
      "service config: waitForReady in a method config does nothing in grpc-js (1.14 parses it and never applies it: only a call's own option makes it wait)",
      { hint: 'Give the client waitForReady: true (each of its calls then asks to wait for ready).' },
    );
  const xdsOnly = balancerNames(config.loadBalancingConfig).find((n) => GRPC_JS_XDS_BALANCERS.includes(n));
  if (xdsOnly)
    throw new InputError(
      xdsOnly === 'ring_hash'
        ? "service config: ring_hash is grpc-js-xds's, which hashes only on an xDS route's hash policy: outside xds: targets every call would land on a random backend"
        : `service config: ${xdsOnly} is one of grpc-js-xds's balancers, which the xDS resolver configures itself`,
      {
        hint:
          xdsOnly === 'ring_hash'
            ? "For any target, the lab's own consistent hash is lab_ring_hash; on an xds: target the control plane chooses ring_hash (the xds action: { lb: ring_hash, hashHeader: x-lab-key })."
            : 'Dial an xds: target and let the control plane choose its policies.',
      },
    );
  try {
    for (const c of config.loadBalancingConfig ?? []) experimental.parseLoadBalancingConfig(c as LoadBalancingConfig);
  } catch (err) {
    // grpc-js puts the policy's name before the policy's own message, which names it too.
    throw new InputError(`service config: ${(err as Error).message.replace(/^([\w.-]+): \1: /, '$1: ')}`);
  }
  // The rest (methodConfig: retryPolicy, hedgingPolicy, timeout, ...): grpc-js's validateServiceConfig
  // is not exported from the package root, but a channel validates its service config when it is
  // made. A channel connects only on its first call, so making one and closing it starts nothing.
  let channel: Channel | undefined;
  try {
    channel = new Channel('ipv4:127.0.0.1:9', credentials.createInsecure(), { 'grpc.service_config': JSON.stringify(config) });
  } catch (err) {
    throw new InputError(`service config: ${(err as Error).message}`);
  } finally {
    channel?.close();
  }
}

/** Every balancer named in a loadBalancingConfig list, children included (a policy's own lists of policies). */
function balancerNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    if (entry === null || typeof entry !== 'object') return [];
    return Object.entries(entry as Record<string, unknown>).flatMap(([name, options]) => [
      name,
      ...(options && typeof options === 'object' ? Object.values(options).flatMap((v) => balancerNames(v)) : []),
    ]);
  });
}

/** grpc-js's cap on attempts per call (its option grpc-node.retry_max_attempts_limit, default 5). */
export const MAX_ATTEMPTS_LIMIT = 5;

/** The most attempts one call can make under this service config: a retry or hedging policy's maxAttempts (capped as grpc-js caps it), else 1. */
export function maxAttemptsOf(config: ServiceConfigJson | undefined): number {
  let most = 1;
  for (const m of (config?.methodConfig ?? []) as Array<{ retryPolicy?: { maxAttempts?: unknown }; hedgingPolicy?: { maxAttempts?: unknown } }>) {
    for (const p of [m?.retryPolicy, m?.hedgingPolicy]) {
      const n = Number(p?.maxAttempts);
      if (Number.isFinite(n) && n > most) most = Math.min(n, MAX_ATTEMPTS_LIMIT);
    }
  }
  return most;
}
