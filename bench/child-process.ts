/**
 * The parent side of the harness's child processes: fork one (same Node, same TypeScript loader,
 * its own heap limit and --expose-gc), receive its JSON messages over IPC, stop it. Every size
 * and every server runs in a process of its own, so one heap never skews another measurement.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { ChildProcessError } from './errors.js';
import { isMessage, isRecord } from './guards.js';

export type ChildRole = 'size' | 'fake-apiserver' | 'webhook' | 'noop';

export interface ChildSpec {
  readonly role: ChildRole;
  /** JSON-serialisable arguments, checked by the child. */
  readonly args: unknown;
  readonly heapLimitMb: number;
  /** More Node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[];
}

/** The child entry next to this module: child.ts under the loader, child.js once compiled. */
const CHILD_ENTRY = new URL(import.meta.url.endsWith('.ts') ? './child.ts' : './child.js', import.meta.url);

/** Flags of this process the children must not inherit (each child gets its own). */
const OWN_FLAGS = ['--max-old-space-size', '--expose-gc', '--cpu-prof'];

interface Waiter {
  readonly accept: (message: unknown) => boolean;
  readonly reject: (error: Error) => void;
}

export class Child {
  readonly role: ChildRole;
  readonly #process: ChildProcess;
  readonly #queue: unknown[] = [];
  readonly #waiters = new Set<Waiter>();
  #ended: ChildProcessError | null = null;
  readonly #exited: Promise<void>;

  private constructor(spec: ChildSpec) {
    this.role = spec.role;
    const inherited = process.execArgv.filter((flag) => !OWN_FLAGS.some((own) => flag.startsWith(own)));
    this.#process = fork(CHILD_ENTRY, [spec.role, JSON.stringify(spec.args)], {
      execArgv: [
        ...inherited,
        '--expose-gc',
        `--max-old-space-size=${spec.heapLimitMb}`,
        ...(spec.nodeFlags ?? []),
      ],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    this.#process.on('message', (message: unknown) => this.#deliver(message));
    this.#exited = new Promise((resolve) => {
      this.#process.once('exit', (code, signal) => {
        this.#fail(new ChildProcessError(this.role, `exited (${signal ?? `code ${code ?? 'unknown'}`})`));
        resolve();
      });
    });
    this.#process.once('error', (error) => this.#fail(new ChildProcessError(this.role, error.message)));
  }

  static start(spec: ChildSpec): Child {
    return new Child(spec);
  }

  /**
   * The next message of type `type` (earlier messages of other types are kept). A `failed`
   * message, the child's exit or `timeoutMs` without the message reject.
   */
  receive(type: string, timeoutMs: number): Promise<Record<string, unknown>> {
    const queued = this.#queue.findIndex((m) => isMessage(m, type));
    if (queued !== -1) {
      const [message] = this.#queue.splice(queued, 1);
      if (isRecord(message)) return Promise.resolve(message);
    }
    if (this.#ended !== null) return Promise.reject(this.#ended);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new ChildProcessError(this.role, `no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        accept: (message) => {
          if (!isMessage(message, type)) return false;
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(message);
          return true;
        },
        reject: (error) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(error);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Sends a message to the child. */
  send(message: { readonly type: string } & Record<string, unknown>): void {
    if (!this.#process.connected) throw new ChildProcessError(this.role, 'is not connected');
    this.#process.send(message);
  }

  /** Asks the child to finish (a `stop` message) and waits; kills it (its pid only) after `timeoutMs`. */
  async stop(timeoutMs = 15_000): Promise<void> {
    if (this.#process.exitCode !== null || this.#process.signalCode !== null) return;
    if (this.#process.connected) this.#process.send({ type: 'stop' });
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), timeoutMs);
    await this.#exited;
    clearTimeout(timer);
  }

  #deliver(message: unknown): void {
    if (isMessage(message, 'failed')) {
      const detail = typeof message['message'] === 'string' ? message['message'] : 'failed';
      this.#fail(new ChildProcessError(this.role, detail));
      return;
    }
    for (const waiter of this.#waiters) if (waiter.accept(message)) return;
    this.#queue.push(message);
  }

  #fail(error: ChildProcessError): void {
    this.#ended ??= error;
    for (const waiter of [...this.#waiters]) waiter.reject(this.#ended);
  }
}
