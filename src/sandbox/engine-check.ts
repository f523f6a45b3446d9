// One engine per sandbox. A project up on a swarm has its tasks' containers (and its gateway) on
// this machine's engine too, labelled as the project's: a command on the plain engine would take
// them for its own and remove or restart them. A project up on this engine has a bridge network and
// plain containers a swarm command must not touch. Either way: say where it is up, and the flag.
import Docker from 'dockerode';
import { EnvironmentError } from '../errors.js';
import { LABEL, labelFilter, projectSelector } from './labels.js';

export type EngineName = 'docker' | 'swarm';

/** How long each question to the engine may take. */
const ASK_MS = 5000;

/** Where this project's sandbox is up on this machine, as far as its engine can tell (none: nowhere). */
export async function engineOfSandbox(project: string, docker = new Docker()): Promise<EngineName | undefined> {
  const filters = labelFilter(projectSelector(project));
  // An engine that does not answer (no socket, or one that accepts and stays silent) cannot tell:
  // the command's own first call says Docker is down. Each question is bounded, never a hang.
  const bounded = () => ({ abortSignal: AbortSignal.timeout(ASK_MS) }) as object;
  let silent = false;
  const services = await docker.listServices({ filters, ...bounded() }).catch((err: { statusCode?: number }) => {
    silent = !err?.statusCode; // an HTTP answer (503: not a swarm manager) is an answer: no services
    return [];
  });
  if (services.length) return 'swarm';
  if (silent) return undefined;
  const containers = await docker.listContainers({ all: true, filters, ...bounded() }).catch(() => []);
  const onSwarm = (labels: Record<string, string>) => !!labels['com.docker.swarm.service.id'] || labels[LABEL.role] === 'gateway';
  if (containers.some((c) => onSwarm(c.Labels ?? {}))) return 'swarm';
  return containers.length ? 'docker' : undefined;
}

const WORDS: Record<EngineName, { where: string; flag: string }> = {
  docker: { where: "this machine's Docker engine", flag: 'without --engine swarm (or LAB_ENGINE=docker)' },
  swarm: { where: 'the Docker Swarm this machine manages', flag: 'with --engine swarm (or LAB_ENGINE=swarm)' },
};

/** Refuses (changing nothing) when the project is up on the other engine than `engine`. */
export async function checkOneEngine(project: string, engine: EngineName, docker?: Docker): Promise<void> {
  const up = await engineOfSandbox(project, docker);
  if (!up || up === engine) return;
  throw new EnvironmentError(`the sandbox ${project} is up on ${WORDS[up].where}, not on ${WORDS[engine].where}; nothing was changed`, {
    hint: `Run the command ${WORDS[up].flag}; or take that sandbox down first: lab down ${up === 'swarm' ? '--engine swarm' : ''}`.trimEnd(),
  });
}
