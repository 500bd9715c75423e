/**
 * Where `serve` writes its log: standard output, in blocks. Every review writes a line; with one
 * write(2) per line, the system call cost more than the line itself (16 µs of about 360 µs per
 * review in the CPU profile of the M benchmark).
 *
 * Lines wait until LOG_BLOCK_CHARS are pending or LOG_FLUSH_INTERVAL_MS have passed, and are
 * written synchronously at exit, including an exit after an uncaught exception. A process killed
 * outright (SIGKILL, out of memory) loses at most the lines of the last interval.
 *
 * The lines are kept here, in a list joined once per block, and the block goes to pino's
 * destination (sonic-boom, synchronous, which retries a full pipe). sonic-boom's own buffering
 * appended each line to the pending text and measured the whole text's UTF-8 length at every
 * line: a copy of up to a block per line, 2.5 KB allocated per review (sampling heap profiler,
 * the M review stream in process).
 */
import { pino } from 'pino';

export const LOG_BLOCK_CHARS = 4096;
export const LOG_FLUSH_INTERVAL_MS = 1000;

export interface LogDestination {
  /** One line (pino's output), written with the next block. */
  write(line: string): void;
}

/** A destination writing to `dest` (a file descriptor or a path; standard output by default). */
export function createLogDestination(dest: number | string = 1): LogDestination {
  const stream = pino.destination({ dest, sync: true });
  let pending: string[] = [];
  let chars = 0;
  const flush = (): void => {
    if (pending.length === 0) return;
    const block = pending.join('');
    pending = [];
    chars = 0;
    stream.write(block);
  };
  setInterval(flush, LOG_FLUSH_INTERVAL_MS).unref();
  process.once('exit', flush);
  return {
    write(line) {
      pending.push(line);
      chars += line.length;
      if (chars >= LOG_BLOCK_CHARS) flush();
    },
  };
}
