/**
 * Keeps native log lines (Dawn's "Warning: …", Mesa's, the Vulkan loader's) away from the user.
 *
 * They are written with C `fprintf` to fds 1 and 2, with no switch in JavaScript to turn them
 * off, so the CLI (never the library: a host application's fds are its own) points those fds at
 * /dev/null and puts process.stdout and process.stderr on duplicates of the real ones. The
 * CLI's own output, progress bar included, still reaches the terminal or pipe it was given.
 * Needs koffi (FFI) for dup/dup2; where it cannot load (Windows, say), nothing changes.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { isatty, WriteStream } from 'node:tty';
import { Writable } from 'node:stream';

/** A stream on `fd` as Node would make it for stdout or stderr: a terminal, or synchronous writes. */
function streamOn(fd: number): Writable {
  if (isatty(fd)) {
    const stream = new WriteStream(fd);
    // Node does this for its own TTY streams: `columns` follows the terminal's size.
    process.on('SIGWINCH', () => (stream as WriteStream & { _refreshSize(): void })._refreshSize());
    return stream;
  }
  return Object.assign(new Writable({
    write(chunk: Buffer, _encoding, done) {
      try {
        writeAll(fd, chunk);
        done();
      } catch (error) {
        done(error as Error);
      }
    },
  }), { fd, isTTY: false });
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes every byte of `chunk`. A pipe that Node opened for fd 2 is non-blocking, and when fds 1
 * and 2 are the same pipe (`2>&1 | …`) our duplicate of fd 1 is too: a write may then take only
 * part of the chunk, or none of it (EAGAIN) while the reader lags; wait a millisecond and go on.
 */
function writeAll(fd: number, chunk: Buffer): void {
  for (let at = 0; at < chunk.length;) {
    try {
      at += writeSync(fd, chunk, at);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}

/**
 * Sends fds 1 and 2 to /dev/null and process.stdout/stderr to the real ones. Call before Dawn
 * loads and before anything writes to process.stdout or process.stderr. False where it cannot.
 */
export async function silenceNativeOutput(): Promise<boolean> {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return false;
  let dup: (fd: number) => number;
  let dup2: (from: number, to: number) => number;
  try {
    const koffi = (await import('koffi')).default;
    const libc = koffi.load(null);
    dup = libc.func('int dup(int)');
    dup2 = libc.func('int dup2(int, int)');
  } catch {
    return false;
  }
  const saved = [dup(1), dup(2)];
  if (saved.some((fd) => fd < 0)) {
    for (const fd of saved) if (fd >= 0) closeSync(fd);
    return false;
  }
  const [stdout, stderr] = saved.map(streamOn);
  const devNull = openSync('/dev/null', 'w');
  dup2(devNull, 1);
  dup2(devNull, 2);
  closeSync(devNull);
  Object.defineProperty(process, 'stdout', { value: stdout, configurable: true, enumerable: true, writable: true });
  Object.defineProperty(process, 'stderr', { value: stderr, configurable: true, enumerable: true, writable: true });
  // Node reports an uncaught error (and an unhandled rejection) natively on fd 2: give it back first.
  process.on('uncaughtExceptionMonitor', () => dup2(saved[1], 2));
  return true;
}
