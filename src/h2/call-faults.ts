// gRPC faults a frame-level proxy (the router, a sidecar) injects per method, for any server behind
// it (Toxiproxy#50's ask): a share of calls delayed, a share aborted with a status, as Envoy's fault
// filter does (the delay first, then the abort). The proxy's answer is a real gRPC status in
// trailers, never a reset.
import { statusName } from '../wire/index.js';

export interface CallFault {
  /** A full method (/pkg.Svc/Method), every method of a service (/pkg.Svc/*), or every call (*). */
  method: string;
  abort?: { code: number; percent: number };
  delay?: { ms: number; percent: number };
}

export interface FaultCounts {
  calls: number;
  aborted: number;
  delayed: number;
}

/** What happens to one call: wait this long first, then answer with this status (or forward it). */
export interface FaultDecision {
  delayMs: number;
  abort?: { code: number; message: string };
}

const NONE: FaultDecision = { delayMs: 0 };

export function describeCallFault(f: CallFault): string {
  const parts = [f.delay && `delay ${f.delay.ms} ms to ${f.delay.percent}%`, f.abort && `abort ${statusName(f.abort.code)} to ${f.abort.percent}%`].filter(
    Boolean,
  );
  return `${f.method}: ${parts.join(', ') || 'no fault'}`;
}

/** A method pattern's problem, or undefined when it is one a proxy can match. */
export function methodPatternProblem(method: string): string | undefined {
  if (method === '*' || /^\/[^/\s*]+\/(\*|[^/\s*]+)$/.test(method)) return undefined;
  return `a method is /package.Service/Method, /package.Service/* or *, found "${method}"`;
}

export class CallFaults {
  private rules: CallFault[] = [];
  readonly counts = new Map<string, FaultCounts>();

  /** `by` names the proxy in an abort's message: "the lab's router", "greeter-2's sidecar". */
  constructor(
    rules: CallFault[] = [],
    private readonly random: () => number = Math.random,
    private readonly by = "the lab's router",
  ) {
    this.set(rules);
  }

  /** Replaces the rules (a later rule for the same pattern wins). */
  set(rules: CallFault[]): void {
    const byMethod = new Map(rules.map((r) => [r.method, r]));
    this.rules = [...byMethod.values()];
  }

  list(): CallFault[] {
    return [...this.rules];
  }

  /** The rule for a path: the method's own, else its service's, else *. */
  private ruleFor(path: string): CallFault | undefined {
    if (this.rules.length === 0) return undefined;
    const service = path.slice(0, path.lastIndexOf('/'));
    return this.rules.find((r) => r.method === path) ?? this.rules.find((r) => r.method === `${service}/*`) ?? this.rules.find((r) => r.method === '*');
  }

  /** The proxy sent the abort decide() chose for a call of `path`. */
  aborted(path: string): void {
    const c = this.counts.get(path);
    if (c) c.aborted++;
  }

  decide(path: string): FaultDecision {
    const rule = this.ruleFor(path);
    if (!rule) return NONE;
    const c = this.counts.get(path) ?? { calls: 0, aborted: 0, delayed: 0 };
    this.counts.set(path, c);
    c.calls++;
    const delayed = !!rule.delay && this.random() * 100 < rule.delay.percent;
    const aborted = !!rule.abort && this.random() * 100 < rule.abort.percent;
    if (delayed) c.delayed++;
    // Aborted is counted when the abort is sent (a caller that leaves during the delay gets none).
    return {
      delayMs: delayed ? rule.delay!.ms : 0,
      abort: aborted
        ? { code: rule.abort!.code, message: `aborted by ${this.by} (fault on ${rule.method}: ${rule.abort!.percent}% ${statusName(rule.abort!.code)})` }
        : undefined,
    };
  }
}
