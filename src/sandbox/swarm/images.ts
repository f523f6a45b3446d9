// Images on a swarm without a registry from outside: the lab assembles (or finds) an image on the
// manager and copies it to each node that runs one of its tasks, `docker save | docker load` through
// that node's own Docker API. Chosen over a registry the lab would run: every node would have to
// trust it as an insecure registry (a daemon setting the lab must not change), and the lab needs each
// node's API anyway, to act on its containers. `lab down` removes what it loaded.
import type Docker from 'dockerode';
import { EnvironmentError } from '../../errors.js';
import { log } from '../../util/log.js';
import type { SwarmNode, SwarmNodes } from './nodes.js';

/** Images the lab assembles carry this label; on a worker, every one of them was loaded by the lab. */
export const IMAGE_LABEL = 'dev.lab.image';

const has = async (docker: Docker, id: string) =>
  docker
    .getImage(id)
    .inspect()
    .then(() => true)
    .catch((err: { statusCode?: number }) => {
      if (err.statusCode === 404) return false;
      throw err;
    });

export class ImageCopies {
  private readonly copied = new Map<string, Promise<void>>();

  constructor(private readonly nodes: SwarmNodes) {}

  /** `ref` (on the manager) onto each of `targets` that lacks it; its id, which every node then shares. */
  async ensure(ref: string, targets: SwarmNode[]): Promise<string> {
    const id = ((await this.nodes.manager.getImage(ref).inspect()) as { Id: string }).Id;
    await Promise.all(targets.filter((n) => !n.self).map((n) => this.copyTo(n, ref, id)));
    return id;
  }

  private copyTo(node: SwarmNode, ref: string, id: string): Promise<void> {
    const key = `${node.id} ${id}`;
    let p = this.copied.get(key);
    if (!p) {
      p = this.copy(node, ref, id);
      this.copied.set(key, p);
      p.catch(() => this.copied.delete(key));
    }
    return p;
  }

  private async copy(node: SwarmNode, ref: string, id: string): Promise<void> {
    const what = `node ${node.hostname} needs ${ref}, which no registry serves;`;
    if (!this.nodes.reachable(node))
      throw new EnvironmentError(`${what} the lab copies it through the node's Docker API, and it has none for ${node.hostname}.`, {
        hint: `Copy it yourself: docker save ${ref} | docker -H <${node.hostname}'s Docker API> load; or give the lab its API: LAB_SWARM_NODES=${node.hostname}=tcp://<address>:2375.`,
      });
    const docker = this.nodes.docker(node, 'copying an image');
    try {
      if (await has(docker, id)) return;
      log('swarm', `copy ${ref} to ${node.hostname}`);
      const tar = await this.nodes.manager.getImage(ref).get();
      const out = (await docker.loadImage(tar as never, { quiet: true })) as NodeJS.ReadableStream;
      // The saved image carries its tag: the node has it under the same name and the same id.
      await new Promise<void>((resolve, reject) => docker.modem.followProgress(out, (err: Error | null) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new EnvironmentError(`${what} copying it failed: ${(err as Error).message}`, {
        hint: `Copy it yourself: docker save ${ref} | docker -H <${node.hostname}'s Docker API> load`,
        cause: err,
      });
    }
  }

  /** Removes the lab's images from every node but the manager (what `ensure` loaded there). */
  async removeCopies(): Promise<string[]> {
    const removed: string[] = [];
    for (const { node, docker } of await this.nodes.apis()) {
      if (node.self) continue;
      const images = (await docker.listImages({ filters: JSON.stringify({ label: [IMAGE_LABEL] }) }).catch(() => [])) as Array<{ Id: string }>;
      for (const img of images) {
        await docker
          .getImage(img.Id)
          .remove({ force: true })
          .then(() => removed.push(`${node.hostname}:${img.Id.slice(7, 19)}`))
          .catch((err: Error) => log('swarm', `could not remove an image on ${node.hostname}`, { error: err.message }));
      }
    }
    this.copied.clear();
    return removed;
  }
}
