// A client the user runs (`clients: { mine: { run: "python3 client.py" } }`): started through execa
// with `sh -c`, in the scenario's folder, with the sandbox's addresses in its environment; its output
// kept for the report; stopped at the end (SIGTERM to its process group, SIGKILL after the grace).
// It runs in a process group of its own, so the whole command line stops; and a guard (a small sh
// reading a pipe only the lab holds) ends that group when the pipe closes, so a `kill -9` or a crash
// of the lab ends it too.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { xdsBootstrap } from '../traffic/index.js';
import type { Topology } from '../topology/index.js';
import { xdsNodeId } from '../xds/index.js';
import type { ObservedClientSpec } from './model.js';

/** The most output kept per client (its tail): a chatty client must not fill the lab's memory. */
const MAX_OUTPUT = 1 << 20;

export interface OwnClientEnd {
  name: string;
  run: string;
  /** How it ended: "stopped by the lab", "exited with code 1 at 3.2s", "could not start: ...". */
  how: string;
  /** It ended before the lab stopped it (or never started): the scenario fails. */
  early: boolean;
  output: string;
}

/** The environment the command gets: the sandbox's addresses, and the name its calls should carry. */
export function ownClientEnv(t: Topology, spec: ObservedClientSpec, bootstrapFile?: string): Record<string, string> {
  const echoes = t.instances.filter((i) => i.role === 'echo');
  return {
    LAB_CLIENT_NAME: spec.tag,
    LAB_ETCD: t.etcd.hostAddress,
    LAB_ETCD_PREFIX: t.registration.etcdPrefix,
    LAB_CONSUL: t.consul.hostAddress,
    ...(t.consul.dnsHostAddress ? { LAB_CONSUL_DNS: t.consul.dnsHostAddress } : {}),
    LAB_ECHO_SERVICE: echoes[0]?.service ?? 'echo',
    LAB_ECHO_ADDRESSES: echoes.map((i) => i.hostAddress).join(','),
    ...(bootstrapFile ? { GRPC_XDS_BOOTSTRAP: bootstrapFile } : {}),
  };
}

/**
 * Waits on a pipe the lab holds: when the lab dies (however), the pipe closes and the guard sends the
 * command's process group SIGTERM, then SIGKILL after the grace. A normal stop kills the guard first.
 */
function guard(pgid: number, graceMs: number): ResultPromise {
  const script = `read _; kill -TERM -${pgid} 2>/dev/null; sleep ${Math.ceil(graceMs / 1000)}; kill -KILL -${pgid} 2>/dev/null`;
  return execa('sh', ['-c', script], { stdin: 'pipe', stdout: 'ignore', stderr: 'ignore', detached: true, reject: false });
}

export class OwnClient {
  private output = '';
  private proc?: ResultPromise;
  private ended?: OwnClientEnd;
  private stopping = false;
  private tmp?: string;
  private guard?: ResultPromise;

  private constructor(
    readonly spec: ObservedClientSpec,
    private readonly now: () => number,
    private readonly onEarlyEnd: (end: OwnClientEnd) => void,
  ) {}

  static async start(spec: ObservedClientSpec, t: Topology, now: () => number, onEarlyEnd: (end: OwnClientEnd) => void): Promise<OwnClient> {
    const c = new OwnClient(spec, now, onEarlyEnd);
    let bootstrap: string | undefined;
    if (t.xds) {
      c.tmp = mkdtempSync(path.join(os.tmpdir(), 'lab-client-'));
      bootstrap = path.join(c.tmp, 'xds-bootstrap.json');
      writeFileSync(bootstrap, JSON.stringify(xdsBootstrap({ server: t.xds.hostAddress, nodeId: xdsNodeId(spec.name) }), null, 2));
    }
    const env = { ...process.env, ...ownClientEnv(t, spec, bootstrap) };
    const proc = execa('sh', ['-c', spec.run], {
      cwd: spec.cwd,
      env,
      extendEnv: false,
      detached: true,
      stdin: 'ignore',
      all: true,
      buffer: false,
      reject: false,
    });
    c.proc = proc;
    if (proc.pid !== undefined) c.guard = guard(proc.pid, spec.graceMs);
    proc.all?.on('data', (d: Buffer) => c.keep(d.toString()));
    void proc.then((r) => {
      // No pid: not even sh could be spawned (execa resolves failed, without a code).
      const spawnFailed = proc.pid === undefined;
      const how = spawnFailed ? `could not start: ${r.shortMessage ?? r.message}` : r.signal ? `ended by ${r.signal}` : `exited with code ${r.exitCode}`;
      const early = spawnFailed || !c.stopping;
      // sh says "not found" with 127; the lab says which command and where.
      const hint = r.exitCode === 127 ? ` (sh: command not found; it runs in ${spec.cwd})` : '';
      c.ended = {
        name: spec.name,
        run: spec.run,
        how: spawnFailed ? how : early ? `${how} at ${(now() / 1000).toFixed(1)}s, before the end${hint}` : 'stopped by the lab',
        early,
        output: c.output,
      };
      c.cleanTmp();
      c.guard?.kill('SIGKILL');
      if (early) onEarlyEnd(c.ended);
    });
    return c;
  }

  private keep(text: string): void {
    this.output += text;
    if (this.output.length > MAX_OUTPUT) this.output = `[earlier output cut]\n${this.output.slice(-MAX_OUTPUT)}`;
  }

  private cleanTmp(): void {
    if (this.tmp) rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
  }

  private signalGroup(sig: NodeJS.Signals): void {
    const pid = this.proc?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, sig); // the whole command line: sh and what it started
    } catch {
      // the group is gone already
    }
  }

  /** SIGTERM to its process group; SIGKILL after the grace; resolves with how it ended. */
  async stop(): Promise<OwnClientEnd> {
    this.stopping = true;
    this.guard?.kill('SIGKILL');
    if (!this.ended && this.proc) {
      this.signalGroup('SIGTERM');
      const killer = setTimeout(() => this.signalGroup('SIGKILL'), this.spec.graceMs);
      await this.proc;
      clearTimeout(killer);
      // What it left in its group (a child that ignored SIGTERM) goes too.
      this.signalGroup('SIGKILL');
    }
    this.cleanTmp();
    return this.ended ?? { name: this.spec.name, run: this.spec.run, how: 'stopped by the lab', early: false, output: this.output };
  }
}
