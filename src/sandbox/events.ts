// What the sandbox reports while it works; the CLI renders these, the engine knows no screen.
export type InstanceAction = 'kept' | 'started' | 'unpaused' | 'created' | 'recreated' | 'removed';

export type SandboxEvent =
  | { type: 'image'; service: string; state: 'found' | 'pulling' | 'assembling' | 'assembled'; ref: string; ms?: number; progress?: string }
  | { type: 'network'; name: string; state: 'created' | 'kept' | 'removed' }
  | { type: 'instance'; instance: string; role?: string; state: 'planned' | 'waiting' | 'ready' | 'failed' | InstanceAction; detail?: string; ms?: number };

export type SandboxListener = (e: SandboxEvent) => void;
