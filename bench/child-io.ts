/** The child side of the IPC channel: send JSON messages to the parent, wait for `stop`. */
import { isMessage, type JsonRecord } from './guards.js';

/** Sends one message and resolves once it is handed to the channel. */
export function sendToParent(message: { readonly type: string } & Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    if (process.send === undefined) {
      reject(new Error('not started as a bench child (no IPC channel)'));
      return;
    }
    process.send(message, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve()));
  });
}

/** Resolves when the parent sends `stop` or goes away. */
export function stopRequested(): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown): void => {
      if (isMessage(message, 'stop')) done();
    };
    const done = (): void => {
      process.off('message', onMessage);
      process.off('disconnect', done);
      resolve();
    };
    process.on('message', onMessage);
    process.once('disconnect', done);
  });
}

/** The next message of type `type` from the parent; rejects if the parent goes away first. */
export function messageFromParent(type: string): Promise<JsonRecord> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown): void => {
      if (!isMessage(message, type)) return;
      cleanup();
      resolve(message);
    };
    const onDisconnect = (): void => {
      cleanup();
      reject(new Error(`the parent went away before sending "${type}"`));
    };
    const cleanup = (): void => {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
    };
    process.on('message', onMessage);
    process.once('disconnect', onDisconnect);
  });
}
