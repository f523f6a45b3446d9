// The lab's one network per project, labelled; its session label is the session of the lab.
import { randomBytes } from 'node:crypto';
import { EnvironmentError } from '../errors.js';
import type { ContainerRuntime, NetworkInfo } from './runtime/container-runtime.js';
import { LABEL, projectSelector } from './labels.js';

export interface EnsuredNetwork {
  id: string;
  session: string;
  created: boolean;
}

export async function findNetwork(rt: ContainerRuntime, project: string, name: string): Promise<NetworkInfo | undefined> {
  return (await rt.listNetworks(projectSelector(project))).find((n) => n.name === name);
}

export async function ensureNetwork(rt: ContainerRuntime, project: string, name: string): Promise<EnsuredNetwork> {
  const existing = await findNetwork(rt, project, name);
  if (existing) return { id: existing.id, session: existing.labels[LABEL.session] ?? newSession(), created: false };
  const session = newSession();
  try {
    const id = await rt.createNetwork(name, { [LABEL.project]: project, [LABEL.session]: session });
    return { id, session, created: true };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 409) {
      throw new EnvironmentError(`a Docker network named ${name} exists but was not made by the lab (it has no ${LABEL.project}=${project} label).`, {
        hint: `Remove it (docker network rm ${name}) or name the lab's network differently under networks.default.name in the topology.`,
      });
    }
    throw err;
  }
}

export const newSession = () => `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
