// ContainerRuntime on Docker, through dockerode. Built once per process (getRuntime()).
import Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { EnvironmentError } from '../../errors.js';
import { log } from '../../util/log.js';
import type { ContainerInfo, ContainerRuntime, ContainerSpec, ContainerState, NetworkInfo } from './container-runtime.js';
import { labelFilter } from '../labels.js';
import { LEAST_PRIVILEGE } from './least-privilege.js';

/** Docker's multiplexed log stream (8-byte frame headers) to text. */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && (buf[i] === 1 || buf[i] === 2 || buf[i] === 0) && buf[i + 1] === 0) {
    const size = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return (parts.length ? Buffer.concat(parts) : buf).toString('utf8');
}

const isMissing = (err: unknown) => (err as { statusCode?: number }).statusCode === 404;
const isNoop = (err: unknown) => (err as { statusCode?: number }).statusCode === 304;

export class DockerRuntime implements ContainerRuntime {
  readonly engine: 'docker' | 'swarm' = 'docker';

  /** `socket`: where `docker` dials, for messages (dockerode's default: DOCKER_HOST, else the usual socket). */
  constructor(
    private readonly docker: Docker = new Docker(),
    private readonly socket: string = (process.env.DOCKER_HOST || '/var/run/docker.sock').replace(/^unix:\/\//, ''),
  ) {}

  async ping(timeoutMs: number): Promise<void> {
    try {
      await this.docker.ping({ abortSignal: AbortSignal.timeout(timeoutMs) } as never);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).name;
      throw new EnvironmentError(`Docker is not answering at ${this.socket} (${code}).`, {
        hint: 'Start the Docker engine and try again: `sudo dockerd &` where there is no systemd, or `sudo systemctl start docker`; `bash scripts/setup.sh` installs and starts it.',
        cause: err,
      });
    }
  }

  async imageId(ref: string): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(ref).inspect()).Id;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async pullImage(ref: string, onProgress?: (line: string) => void): Promise<void> {
    log('docker', `pull ${ref}`);
    const stream = await this.docker.pull(ref);
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(
        stream,
        (err) => (err ? reject(err) : resolve()),
        (ev: { status?: string; progress?: string }) => onProgress?.(`${ev.status ?? ''} ${ev.progress ?? ''}`.trim()),
      ),
    );
  }

  async importImage(tar: Readable, ref: string, changes: string[]): Promise<void> {
    const [repo, tag] = ref.split(':');
    log('docker', `import ${ref}`);
    const stream = await this.docker.importImage(tar, { repo, tag, changes });
    await new Promise<void>((resolve, reject) =>
      this.docker.modem.followProgress(stream, (err: Error | null, out: Array<{ error?: string }>) => {
        const failed = out?.find((o) => o.error);
        if (err || failed) reject(err ?? new Error(failed!.error));
        else resolve();
      }),
    );
  }

  async listContainers(labels: Record<string, string>): Promise<ContainerInfo[]> {
    const list = await this.docker.listContainers({ all: true, filters: labelFilter(labels) });
    return list.map((c) => ({
      id: c.Id,
      name: (c.Names[0] ?? '').replace(/^\//, ''),
      state: c.State as ContainerState,
      status: c.Status,
      labels: c.Labels ?? {},
    }));
  }

  async createContainer(spec: ContainerSpec): Promise<string> {
    const exposed: Record<string, object> = {};
    const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
    for (const p of spec.ports) {
      const key = `${p.containerPort}/${p.protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: p.hostIp, HostPort: String(p.hostPort) });
    }
    log('docker', `create ${spec.name}`, { image: spec.image });
    const joined = spec.joins ? `container:${spec.joins}` : undefined;
    const c = await this.docker.createContainer({
      name: spec.name,
      Hostname: joined ? undefined : spec.hostname,
      Image: spec.image,
      Entrypoint: spec.entrypoint,
      Cmd: spec.command,
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      ExposedPorts: exposed,
      User: spec.user,
      HostConfig: {
        PortBindings: joined ? {} : bindings,
        NetworkMode: joined ?? spec.network,
        Init: spec.init,
        ReadonlyRootfs: spec.readOnlyRootfs,
        Tmpfs: spec.tmpfs,
        // Anonymous volumes: no Source; Docker names them and removes them with the container (v).
        Mounts: spec.volumes.map((Target) => ({ Type: 'volume', Target })) as never,
        Memory: spec.memoryBytes,
        ...LEAST_PRIVILEGE,
      },
      NetworkingConfig: joined ? undefined : { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases } } },
    });
    return c.id;
  }

  async startContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (!isNoop(err)) throw err;
    }
  }

  async removeContainer(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      // Gone already, or already being removed: both mean what we wanted.
      if (!isMissing(err) && (err as { statusCode?: number }).statusCode !== 409) throw err;
    }
  }

  async killContainer(id: string, signal = 'SIGKILL'): Promise<void> {
    await this.docker.getContainer(id).kill({ signal });
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutSeconds });
    } catch (err) {
      if (!isNoop(err)) throw err;
    }
  }

  async pauseContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).pause();
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.docker.getContainer(id).unpause();
  }

  async inspectContainer(id: string): ReturnType<ContainerRuntime['inspectContainer']> {
    const info = await this.docker.getContainer(id).inspect();
    const nets = Object.values(info.NetworkSettings?.Networks ?? {});
    return {
      state: info.State.Status as ContainerState,
      exitCode: info.State.ExitCode,
      ip: nets[0]?.IPAddress || undefined,
      startedAt: info.State.StartedAt,
    };
  }

  async logs(id: string, lines: number): Promise<string> {
    try {
      const buf = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
      return demux(Buffer.isBuffer(buf) ? buf : Buffer.from(String(buf)));
    } catch {
      return '';
    }
  }

  async memoryUsage(id: string): Promise<number> {
    return memoryOf(await this.docker.getContainer(id).stats({ stream: false }));
  }

  async disconnectNetwork(containerId: string, network: string): Promise<void> {
    log('docker', `disconnect ${containerId.slice(0, 12)} from ${network}`);
    await this.docker.getNetwork(network).disconnect({ Container: containerId, Force: true });
  }

  async connectNetwork(containerId: string, network: string, aliases: string[]): Promise<void> {
    log('docker', `connect ${containerId.slice(0, 12)} to ${network}`);
    await this.docker.getNetwork(network).connect({ Container: containerId, EndpointConfig: { Aliases: aliases } });
  }

  async listNetworks(labels: Record<string, string>): Promise<NetworkInfo[]> {
    const list = await this.docker.listNetworks({ filters: labelFilter(labels) });
    return list.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  }

  async createNetwork(name: string, labels: Record<string, string>): Promise<string> {
    log('docker', `create network ${name}`);
    const n = await this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: labels, CheckDuplicate: true });
    return n.id;
  }

  /**
   * Docker releases a removed container's endpoint a moment after the removal returns: with a
   * hundred removed at once, the network could still count some of them ("has active endpoints").
   * Such a network is asked again, and its leftover endpoints are disconnected, for up to 10 s.
   */
  async removeNetwork(id: string): Promise<void> {
    const network = this.docker.getNetwork(id);
    for (let attempt = 0; ; attempt++) {
      try {
        await network.remove();
        return;
      } catch (err) {
        if (isMissing(err)) return;
        const busy = (err as { statusCode?: number }).statusCode === 403 && /active endpoints/.test((err as Error).message);
        if (!busy) throw err;
        if (attempt >= 40)
          throw new EnvironmentError(`Docker still counts endpoints on network ${id.slice(0, 12)}, though no container is attached to it.`, {
            hint: "Docker can lose count of a network's endpoints when many containers go at once (moby/moby#42119). Restart the Docker daemon, then run `lab down` again.",
            cause: err,
          });
        log('docker', `network ${id.slice(0, 12)} still has endpoints; retrying`, { attempt });
        if (attempt === 10) {
          const info = (await network.inspect().catch(() => undefined)) as { Containers?: Record<string, unknown> } | undefined;
          await Promise.allSettled(Object.keys(info?.Containers ?? {}).map((c) => network.disconnect({ Container: c, Force: true })));
        }
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}

let cached: ContainerRuntime | undefined;

/** A socket-level failure talking to the daemon: Docker went away (stopped, restarting). */
const CONNECTION_CODES = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EACCES']);
const lostDaemon = (err: unknown) => {
  const e = err as NodeJS.ErrnoException & { syscall?: string };
  return (
    !!e?.code &&
    CONNECTION_CODES.has(e.code) &&
    (e.syscall === 'connect' || e.syscall === 'read' || e.syscall === 'write' || e.code === 'ECONNRESET' || e.code === 'EPIPE')
  );
};

/** Members the wrapper leaves alone: ping says it itself; the rest answer at once, without the daemon. */
const SYNC_OR_OWN = new Set<PropertyKey>(['ping', 'constructor']);

/**
 * Every call of a runtime, with a lost daemon said plainly: "Docker is not answering at ..." with
 * what to do, as ping says it, instead of a socket error from deep inside dockerode.
 */
export function sayWhenDockerIsGone<R extends ContainerRuntime>(rt: R): R {
  return new Proxy(rt, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || SYNC_OR_OWN.has(prop)) return v;
      return async (...args: unknown[]) => {
        try {
          return await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } catch (err) {
          if (lostDaemon(err)) await target.ping(2000); // throws the plain "not answering" error
          throw err;
        }
      };
    },
  });
}

/** The process's one container runtime (DOCKER_HOST and friends are honoured by dockerode). */
export function getRuntime(): ContainerRuntime {
  return (cached ??= sayWhenDockerIsGone(new DockerRuntime()));
}

/** What a container's memory costs: cgroup v2's anon (its own pages), else v1's rss, else the usage. */
export function memoryOf(stats: Docker.ContainerStats): number {
  // dockerode's types know cgroup v1's keys only; on v2 the engine sends anon instead of rss.
  const s: Partial<Record<'anon' | 'rss', number>> = { ...stats.memory_stats.stats };
  return s.anon ?? s.rss ?? stats.memory_stats.usage ?? 0;
}
