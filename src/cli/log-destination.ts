/**
 * Where `serve` writes its log: pino's destination (sonic-boom) on standard output, in blocks.
 * Every review writes a line; with one write(2) per line, the system call cost more than the
 * line itself (16 µs of about 360 µs per review in the CPU profile of the M benchmark).
 *
 * Lines wait until LOG_BLOCK_BYTES are pending or LOG_FLUSH_INTERVAL_MS have passed, and are
 * written synchronously at exit, including an exit after an uncaught exception. A process killed
 * outright (SIGKILL, out of memory) loses at most the lines of the last interval.
 */
import { pino } from 'pino';

export const LOG_BLOCK_BYTES = 4096;
export const LOG_FLUSH_INTERVAL_MS = 1000;

export type LogDestination = ReturnType<typeof pino.destination>;

/** A destination writing to `dest` (a file descriptor or a path; standard output by default). */
export function createLogDestination(dest: number | string = 1): LogDestination {
  const stream = pino.destination({
    dest,
    sync: true,
    minLength: LOG_BLOCK_BYTES,
    periodicFlush: LOG_FLUSH_INTERVAL_MS,
  });
  process.once('exit', () => stream.flushSync());
  return stream;
}
