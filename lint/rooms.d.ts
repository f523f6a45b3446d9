// Types of lint/rooms.js (plain JS: eslint.config.js loads it without a compiler).
export interface Room {
  /** What the room is, one line. */
  is: string;
  /** A program bundled alone or entered from the shell: nothing imports it. */
  program?: boolean;
  /** The rooms it may import. */
  may: string[];
  /** The rooms it may import types from only. */
  types?: string[];
  /** Why it may import nothing else. */
  why: string;
}
export declare const ROOMS: Record<string, Room>;
export declare const NO_DOOR: Record<string, string>;
export declare function roomOf(file: string, srcDir: string): string | undefined;
export declare const roomsRule: unknown;
