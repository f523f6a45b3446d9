// The scenario actions (one file each, exporting its definition; the list is generated) and the
// contract they share.
import { registerAction } from './action.js';
import { plugins } from './plugins.generated.js';

let done = false;

/** Registers every action kind, once. More may come from other folders (the xDS actions) through registerAction. */
export function setup(): void {
  if (done) return;
  done = true;
  for (const def of plugins) registerAction(def);
}

export {
  actionDefinitions,
  actionKinds,
  ArgProblem,
  checkTarget,
  defineAction,
  getAction,
  instanceName,
  namesOfRole,
  oneEchoEntry,
  parseActionArg,
  registerAction,
  targetOf,
  type ActionContext,
  type ActionDefinition,
  type AnyAction,
  type Names,
} from './action.js';
