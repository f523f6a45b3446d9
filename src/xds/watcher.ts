// While a run goes on, what the xDS control plane knows of the run's own clients, once a second:
// the version of each resource type each ACKed or NACKed (and why), and the load reports it got per
// locality. Emitted as an event when it changed, for the view, the event log and the report.
import { type XdsStatus, XdsControl } from './control.js';

export interface XdsTypeView {
  type: string;
  acked: string;
  /** The version it refused last, and why; undefined when it accepted what it was sent last. */
  nacked?: string;
  error?: string;
}

export interface XdsClientView {
  /** The run's client name (lab/<name>/<pid>), or the node id of a client from outside. */
  client: string;
  nodeId: string;
  connected: boolean;
  types: XdsTypeView[];
  /** Load reports received, per zone: calls that ended well, and with an error. */
  loads: Record<string, { ok: number; errors: number }>;
}

export interface XdsEvent {
  type: 'xds';
  t: number;
  versions: Record<string, string>;
  clients: XdsClientView[];
  sourceOk: boolean;
  /** The cluster's lb policy the control plane serves (round_robin, ring_hash, a lab balancer…). */
  lb: string;
}

/** The run's clients (and any outside client) as the control plane sees them. */
export function xdsViewOf(s: XdsStatus, pid = process.pid): Omit<XdsEvent, 't' | 'type'> {
  const mine = (nodeId: string) => new RegExp(`^lab/(.+)/${pid}$`).exec(nodeId)?.[1];
  const clients = s.clients
    .filter((c) => c.nodeId && (c.connected || mine(c.nodeId)))
    .map((c) => {
      const loads: XdsClientView['loads'] = {};
      for (const l of s.loads.filter((x) => x.nodeId === c.nodeId)) {
        const z = (loads[l.zone || '-'] ??= { ok: 0, errors: 0 });
        z.ok += Number(l.successful);
        z.errors += Number(l.errors);
      }
      return {
        client: mine(c.nodeId) ?? c.nodeId,
        nodeId: c.nodeId,
        connected: c.connected,
        types: c.types.map((t) => ({
          type: t.type,
          acked: t.ackedVersion,
          ...(t.nackedVersion && t.nackedVersion === t.sentVersion ? { nacked: t.nackedVersion, error: t.nackError } : {}),
        })),
        loads,
      };
    });
  return { versions: s.versions, clients, sourceOk: s.sourceOk, lb: policyLb(s.policyJson) };
}

function policyLb(json: string): string {
  try {
    return (JSON.parse(json) as { lb?: string }).lb ?? '';
  } catch {
    return '';
  }
}

export class XdsWatcher {
  private readonly ctl: XdsControl;
  private timer?: NodeJS.Timeout;
  private last = '';
  private stopped = false;

  constructor(
    address: string,
    private readonly now: () => number,
    private readonly onEvent: (e: XdsEvent) => void,
    private readonly everyMs = 1000,
  ) {
    this.ctl = new XdsControl(address);
  }

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      await this.poll().catch(() => undefined);
      if (!this.stopped) this.timer = setTimeout(loop, this.everyMs);
    };
    void loop();
  }

  /** One look (also the last one, after traffic stops). */
  async poll(): Promise<void> {
    const view = xdsViewOf(await this.ctl.status(800));
    const text = JSON.stringify(view);
    if (text === this.last) return;
    this.last = text;
    this.onEvent({ type: 'xds', t: this.now(), ...view });
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.ctl.close();
  }
}
