// A client the user runs (`clients: { mine: { run: "python3 client.py" } }`): started through execa
// with `sh -c`, in the scenario's folder, with the sandbox's addresses in its environment; its output
// kept for the report; stopped at the end (SIGTERM to its process group, SIGKILL after the grace).
// It runs in a process group of its own, so the whole command line stops. A watcher in that group,
// started by the same shell before it execs the command, ends the group when a pipe only the lab
// holds closes, so a `kill -9` or a crash of the lab ends it too, whenever it comes: there is no
// moment when the command runs and nothing watches it.
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
 * The shell the command runs in. Its stdin is a pipe only the lab writes to (it never does). Before
 * it execs the command (with stdin from /dev/null, as a command the lab starts always had), it starts
 * a watcher in the background, in the same process group, holding that pipe as fd 3: when the pipe
 * closes, the lab is gone, however it went, and the watcher sends the group SIGTERM, then SIGKILL
 * after the grace (itself included). The watcher ignores SIGTERM, so the lab's own stop (SIGTERM to
 * the group) leaves it until the SIGKILL that ends the group. If the lab dies before the watcher
 * starts, its read ends at once: the pipe is closed already.
 */
export function watchedShell(graceMs: number): string {
  const grace = (Math.max(0, graceMs) / 1000).toFixed(3);
  return [
    'exec 3<&0',
    `{ trap '' TERM; read _ <&3; kill -TERM 0; sleep ${grace}; kill -KILL 0; } </dev/null >/dev/null 2>&1 &`,
    'exec 3<&-',
    'exec sh -c "$1" </dev/null',
  ].join('\n');
}

export class OwnClient {
  private output = '';
  private proc?: ResultPromise;
  private ended?: OwnClientEnd;
  private stopping = false;
  private tmp?: string;

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
    // $0 names the shell in ps; $1 is the command.
    const proc = execa('sh', ['-c', watchedShell(spec.graceMs), 'lab-client', spec.run], {
      cwd: spec.cwd,
      env,
      extendEnv: false,
      detached: true,
      stdin: 'pipe',
      all: true,
      buffer: false,
      reject: false,
    });
    c.proc = proc;
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
      c.signalGroup('SIGKILL'); // the watcher, and what the command left in its group
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
