// The action keys a step may carry (one per step). Each has its own file and registers itself.
export const ACTION_KINDS = [
  'kill',
  'stop',
  'start',
  'restart',
  'pause',
  'unpause',
  'scale',
  'expire-lease',
  'deregister',
  'register',
  'health',
  'fault',
  'link',
  'set-weight',
  'partition',
  'heal',
  'set-lb',
  'kill-leader',
  'drain',
] as const;

export type ActionKind = (typeof ACTION_KINDS)[number];
