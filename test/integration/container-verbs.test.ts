// The scenario model's rules for the container verbs (kill, stop, start, restart, pause, unpause),
// against a real Docker engine: from each state a container can be in, a verb the model allows must
// work and leave the state the model says; one it refuses must be refused by Docker or change
// nothing (a step that does nothing is refused so that a scenario says what it does).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setupLab } from '../../src/setup.js';
import { getRuntime, LABEL, projectSelector, type ContainerRuntime } from '../../src/sandbox/index.js';
import { resolveImage } from '../../src/sandbox/images/index.js';
import { getAction, type ActionContext } from '../../src/scenario/actions/index.js';
import { CONTAINER_RULES } from '../../src/scenario/actions/container-actions.js';
import type { ProcessState } from '../../src/scenario/timeline/sandbox-model.js';
import { leftovers } from '../helpers/lab.js';

setupLab();

const PROJECT = 'labverbs';
const rt: ContainerRuntime = getRuntime();
let image = '';
let network = '';

/** A fresh container of the lab's etcd image, brought to `state`. */
async function containerIn(state: ProcessState, name: string): Promise<string> {
  const id = await rt.createContainer({
    name: `${PROJECT}-${name}`,
    hostname: name,
    image,
    entrypoint: ['etcd'],
    command: ['--data-dir=/tmp/etcd', '--log-level=error'],
    env: {},
    labels: { ...projectSelector(PROJECT), [LABEL.instance]: name },
    ports: [],
    network: `${PROJECT}-net`,
    aliases: [name],
    init: true,
    readOnlyRootfs: false,
    tmpfs: {},
    volumes: [],
  });
  await rt.startContainer(id);
  if (state === 'paused') await rt.pauseContainer(id);
  if (state === 'exited') await rt.killContainer(id, 'SIGKILL');
  return id;
}

const dockerState = async (id: string): Promise<ProcessState> => {
  const s = (await rt.inspectContainer(id)).state;
  return s === 'running' || s === 'paused' ? s : 'exited';
};

function ctxFor(): ActionContext {
  return {
    rt,
    // None of these containers is a server of yours (whose start also tells its sidecar).
    topology: { instances: [] },
    async container(instance: string) {
      const [c] = await rt.listContainers({ ...projectSelector(PROJECT), [LABEL.instance]: instance });
      return c;
    },
    undo: () => undefined,
  } as unknown as ActionContext;
}

describe("the container verbs' rules hold on a real Docker engine", () => {
  before(async () => {
    image = await resolveImage(rt, { ref: 'lab/etcd', assemble: 'etcd', pull: false });
    network = await rt.createNetwork(`${PROJECT}-net`, projectSelector(PROJECT));
  });
  after(async () => {
    for (const c of await rt.listContainers(projectSelector(PROJECT))) await rt.removeContainer(c.id);
    await rt.removeNetwork(network);
    assert.deepEqual(await leftovers(PROJECT), { containers: [], networks: [] });
  });

  const states: ProcessState[] = ['running', 'paused', 'exited'];
  for (const [kind, rule] of CONTAINER_RULES)
    for (const from of states) {
      const allowed = rule.from.includes(from);
      it(`${kind} from ${from}: ${allowed ? `works, leaves it ${rule.to}` : 'Docker refuses it, or it changes nothing'}`, async () => {
        const name = `${kind}-${from}`;
        const id = await containerIn(from, name);
        const def = getAction(kind)!;
        const ran = await def.run({ target: name }, ctxFor()).then(
          () => undefined,
          (err: Error) => err,
        );
        const now = await dockerState(id);
        if (allowed) {
          assert.equal(ran, undefined, `the model lets ${kind} run from ${from}, and it failed: ${ran?.message}`);
          assert.equal(now, rule.to);
        } else assert.ok(ran !== undefined || now === from, `the model refuses ${kind} from ${from}, but it ran and left the container ${now}`);
        await rt.removeContainer(id);
      });
    }
});
