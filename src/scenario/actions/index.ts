// Registers every action kind.
import './container-actions.js';
import './scale.js';
import './expire-lease.js';
import './consul-registration.js';
import './health.js';
import './fault.js';
import './link.js';
import './set-weight.js';
import './partition.js';
import './set-lb.js';
import './kill-leader.js';
import './drain.js';
export { getAction, type ActionContext, type ActionDefinition } from './action.js';
export { ACTION_KINDS, type ActionKind } from './kinds.js';
