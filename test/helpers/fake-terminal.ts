// A terminal for ink without a terminal: stdin that is no TTY and gives no input, and stdout that
// keeps (or counts) what it is sent. The view's frame tests and the view benches draw into these.
import { EventEmitter } from 'node:events';

/** stdin as ink reads it, with nothing to read. */
export function fakeStdin() {
  return Object.assign(new EventEmitter(), {
    isTTY: false,
    setRawMode() {},
    setEncoding() {},
    resume() {},
    pause() {},
    ref() {},
    unref() {},
    read: () => null,
  });
}

/** stdout of `columns`×`rows` that keeps every frame written. */
export function framesStdout(columns: number, rows: number) {
  return Object.assign(new EventEmitter(), {
    columns,
    rows,
    frames: [] as string[],
    write(f: string) {
      this.frames.push(f);
      return true;
    },
  });
}
