/**
 * Serving certificate and key files: read and checked as a pair, and watched
 * for rotation. cert-manager (through the kubelet) rotates a mounted Secret in
 * place by swapping the `..data` symlink of its directory, so we watch the
 * directories, not the files; events are debounced, and a slow poll catches
 * anything the watch misses (network filesystems, a deleted directory). A new
 * pair is handed over only when it differs from the current one and forms a
 * valid key pair; a half-written or broken pair keeps the current one.
 */
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { TlsMaterial } from './certificates.js';

export class TlsMaterialError extends Error {
  override readonly name = 'TlsMaterialError';
  readonly code = 'ERR_TLS_MATERIAL';
  constructor(
    readonly certFile: string,
    readonly keyFile: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`TLS certificate ${certFile} / key ${keyFile}: ${problem}`, options);
  }
}

/** Reads the pair and checks that the key matches the certificate. Throws TlsMaterialError. */
export async function readTlsMaterial(certFile: string, keyFile: string): Promise<TlsMaterial> {
  let cert: string;
  let key: string;
  try {
    [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  } catch (cause) {
    throw new TlsMaterialError(certFile, keyFile, `cannot be read (${describeCause(cause)})`, { cause });
  }
  checkTlsMaterial({ cert, key }, certFile, keyFile);
  return { cert, key };
}

/** Throws TlsMaterialError unless `material` is a usable certificate and matching key. */
export function checkTlsMaterial(material: TlsMaterial, certFile: string, keyFile: string): void {
  try {
    createSecureContext({ cert: material.cert, key: material.key });
  } catch (cause) {
    throw new TlsMaterialError(
      certFile,
      keyFile,
      `not a usable certificate and key (${describeCause(cause)})`,
      {
        cause,
      },
    );
  }
}

export interface TlsWatchOptions {
  readonly certFile: string;
  readonly keyFile: string;
  /** The pair in use now; only a different pair is reported. */
  readonly current: TlsMaterial;
  /** Quiet time after the last filesystem event before the files are read. */
  readonly debounceMs: number;
  /** Period of the fallback check; 0 disables it. */
  readonly pollMs: number;
  /** A new, valid pair. Called once per change, never concurrently. */
  readonly onChange: (material: TlsMaterial) => void | Promise<void>;
  /** A pair that cannot be used (the current one stays), or a failing watch. */
  readonly onError: (error: Error) => void;
}

export interface TlsWatcher {
  /** Stops watching; a pending check is dropped. */
  close(): void;
}

export function watchTlsMaterial(options: TlsWatchOptions): TlsWatcher {
  const { certFile, keyFile } = options;
  let current = options.current;
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  let closed = false;

  const schedule = (): void => {
    if (closed) return;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void check();
    }, options.debounceMs);
  };

  const check = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      const next = await readTlsMaterial(certFile, keyFile);
      if (!closed && (next.cert !== current.cert || next.key !== current.key)) {
        await options.onChange(next);
        current = next;
      }
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
    } finally {
      running = false;
      if (again) {
        again = false;
        schedule();
      }
    }
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(certFile), dirname(keyFile)])) {
    try {
      const w = watch(dir, { persistent: false }, schedule);
      w.on('error', (cause) => {
        options.onError(
          new TlsMaterialError(certFile, keyFile, `watching ${dir} failed (${describeCause(cause)})`, {
            cause,
          }),
        );
      });
      watchers.push(w);
    } catch (cause) {
      options.onError(
        new TlsMaterialError(certFile, keyFile, `cannot watch ${dir} (${describeCause(cause)})`, { cause }),
      );
    }
  }
  const poll = options.pollMs > 0 ? setInterval(schedule, options.pollMs) : null;
  poll?.unref();

  return {
    close() {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      if (poll !== null) clearInterval(poll);
      for (const w of watchers) w.close();
    },
  };
}

function describeCause(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
