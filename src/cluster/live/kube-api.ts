/**
 * List pages and watch streams against the API server, through client-node's own request
 * pipeline: KubeConfig.applySecurityAuthentication (tokens, exec/OIDC plugins, client
 * certificates, CA, proxy -> an undici dispatcher), RequestContext and its fetch library.
 *
 * Why not client-node's `Watch` or informer:
 * - The informer (ListWatch) keeps every whole object in its cache, lists without pagination, and
 *   stops for good on any error other than 410; we need projected records, paged lists and
 *   restarts with backoff, so the list/watch loop is ours (reflector.ts).
 * - `Watch.watch` hard-codes a private 30 s inactivity timeout, cannot be aborted before the
 *   response headers arrive (its AbortController is returned only then), and silently drops
 *   lines it cannot parse. Driving the same request pipeline ourselves gives an abort signal that
 *   works at every stage (stop() is prompt), a configurable inactivity timeout on the injected
 *   clock, and a malformed line becomes an error that restarts the watch from the last good
 *   resourceVersion instead of an event lost without trace.
 * Responses are read as raw JSON (not through the generated typed APIs, which instantiate full
 * model objects) so that list items and watch objects reach the parse layer in the same shape.
 */

import {
  HttpMethod,
  IsomorphicFetchHttpLibrary,
  RequestContext,
  type KubeConfig,
  type ResponseContext,
} from '@kubernetes/client-node';
import type { Clock } from './clock.js';
import {
  ApiRequestError,
  ApiResponseError,
  ApiStatusError,
  KubeConfigError,
  describeError,
  type ApiOperation,
  type LiveSourceError,
} from './errors.js';
import { isJsonObject, type JsonObject } from '../../parse/field-reader.js';

const USER_AGENT = 'netpol-preflight';
/** Longest Status message kept in an error. */
const MAX_DETAIL = 300;

export interface ListPageRequest {
  readonly resource: string;
  readonly path: string;
  readonly limit: number;
  /** `continue` from the previous page; null for the first page. */
  readonly continueToken: string | null;
  readonly signal: AbortSignal;
}

export interface ListPage {
  /** Raw objects, to be projected and dropped. */
  readonly items: readonly unknown[];
  readonly resourceVersion: string;
  /** Null on the last page. */
  readonly continueToken: string | null;
}

export interface WatchRequest {
  readonly resource: string;
  readonly path: string;
  readonly resourceVersion: string;
  /** Asks the server to end the watch cleanly after this long. */
  readonly timeoutSeconds: number;
  /** Ends the watch when no byte arrives for this long (a half-open connection). */
  readonly inactivityTimeoutMs: number;
  readonly signal: AbortSignal;
}

export interface WatchEvent {
  /** ADDED, MODIFIED, DELETED, BOOKMARK or ERROR (anything else is passed on as is). */
  readonly type: string;
  readonly object: unknown;
}

export type WatchVerdict = 'continue' | 'stop';

export interface WatchHandlers {
  /** The server accepted the watch (HTTP 200). */
  onOpen(): void;
  /** One event, in order; `stop` ends the watch (after an ERROR event). */
  onEvent(event: WatchEvent): WatchVerdict;
}

/** How a watch ended. Never thrown: every end is a value. */
export type WatchEnd =
  | { readonly kind: 'closed' }
  | { readonly kind: 'inactive' }
  | { readonly kind: 'handler-stopped' }
  | { readonly kind: 'aborted' }
  | { readonly kind: 'failed'; readonly error: LiveSourceError };

export interface KubeApi {
  /** One page of a list. Throws ApiRequestError, ApiStatusError (410: expired) or ApiResponseError. */
  listPage(request: ListPageRequest): Promise<ListPage>;
  /** Streams watch events until the watch ends; resolves with how it ended. */
  watch(request: WatchRequest, handlers: WatchHandlers): Promise<WatchEnd>;
}

/** Throws KubeConfigError when the kubeconfig has no current cluster or its server URL is invalid. */
export function createKubeApi(kubeConfig: KubeConfig, clock: Clock): KubeApi {
  const http = new IsomorphicFetchHttpLibrary();
  const cluster = kubeConfig.getCurrentCluster();
  if (cluster === null || cluster.server === '') {
    throw new KubeConfigError(null, 'the current context has no cluster with a server URL');
  }
  const server = cluster.server.replace(/\/+$/, '');
  try {
    new URL(server);
  } catch (cause) {
    throw new KubeConfigError(null, `cluster ${cluster.name} has an invalid server URL ${server}`, { cause });
  }

  async function send(
    url: URL,
    signal: AbortSignal,
    fields: { resource: string; operation: ApiOperation },
  ): Promise<ResponseContext> {
    const context = new RequestContext(url.toString(), HttpMethod.GET);
    context.setHeaderParam('Accept', 'application/json');
    context.setHeaderParam('User-Agent', USER_AGENT);
    try {
      await kubeConfig.applySecurityAuthentication(context);
    } catch (cause) {
      throw new ApiRequestError(fields, `cannot prepare credentials or TLS: ${describeError(cause)}`, {
        cause,
      });
    }
    context.setSignal(signal);
    try {
      return await http.send(context).toPromise();
    } catch (cause) {
      throw new ApiRequestError(fields, describeFailure(signal, cause), { cause });
    }
  }

  function buildUrl(path: string, query: Readonly<Record<string, string>>): URL {
    const url = new URL(server + path);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    return url;
  }

  return {
    async listPage(request) {
      const fields = { resource: request.resource, operation: 'list' } as const;
      const query: Record<string, string> = { limit: String(request.limit) };
      if (request.continueToken !== null) query['continue'] = request.continueToken;
      const response = await send(buildUrl(request.path, query), request.signal, fields);
      let text: string;
      try {
        text = await response.body.text();
      } catch (cause) {
        throw new ApiRequestError(fields, `reading the response: ${describeFailure(request.signal, cause)}`, {
          cause,
        });
      }
      if (response.httpStatusCode !== 200) throw createStatusError(fields, response.httpStatusCode, text);
      return readListPage(fields, text);
    },

    async watch(request, handlers) {
      const fields = { resource: request.resource, operation: 'watch' } as const;
      const controller = new AbortController();
      let inactive = false;
      let cancelTimer = (): void => {};
      const armTimer = (): void => {
        cancelTimer();
        cancelTimer = clock.schedule(request.inactivityTimeoutMs, () => {
          inactive = true;
          controller.abort(new Error(`no data for ${request.inactivityTimeoutMs} ms`));
        });
      };
      const onAbort = (): void => controller.abort(request.signal.reason);
      request.signal.addEventListener('abort', onAbort, { once: true });
      if (request.signal.aborted) controller.abort(request.signal.reason);
      const endFor = (error: LiveSourceError): WatchEnd =>
        request.signal.aborted
          ? { kind: 'aborted' }
          : inactive
            ? { kind: 'inactive' }
            : { kind: 'failed', error };
      try {
        armTimer();
        const url = buildUrl(request.path, {
          watch: 'true',
          resourceVersion: request.resourceVersion,
          allowWatchBookmarks: 'true',
          timeoutSeconds: String(request.timeoutSeconds),
        });
        let response: ResponseContext;
        try {
          response = await send(url, controller.signal, fields);
        } catch (error) {
          return endFor(
            error instanceof ApiRequestError ? error : new ApiRequestError(fields, describeError(error)),
          );
        }
        if (response.httpStatusCode !== 200) {
          let text = '';
          try {
            text = await response.body.text();
          } catch (cause) {
            return endFor(
              new ApiRequestError(fields, `reading the error response: ${describeError(cause)}`, { cause }),
            );
          }
          return endFor(createStatusError(fields, response.httpStatusCode, text));
        }
        const stream = response.body.stream();
        if (stream === null) return endFor(new ApiResponseError(fields, 'the watch response has no body'));
        handlers.onOpen();
        armTimer();
        return await readEvents(stream, fields, handlers, armTimer, endFor, controller.signal);
      } finally {
        cancelTimer();
        request.signal.removeEventListener('abort', onAbort);
        controller.abort(); // releases the connection whatever the outcome
      }
    },
  };
}

/** Splits the chunked body into JSON lines and hands each event to the handlers, in order. */
async function readEvents(
  stream: ReadableStream<Uint8Array>,
  fields: { resource: string; operation: ApiOperation },
  handlers: WatchHandlers,
  onData: () => void,
  endFor: (error: LiveSourceError) => WatchEnd,
  signal: AbortSignal,
): Promise<WatchEnd> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  // Returns an end when the line ends the watch, else null.
  const deliver = (line: string): WatchEnd | null => {
    if (line.trim() === '') return null;
    const event = parseWatchLine(line);
    if (event === null) {
      return endFor(new ApiResponseError(fields, `malformed watch line: ${truncate(line, 120)}`));
    }
    return handlers.onEvent(event) === 'stop' ? { kind: 'handler-stopped' } : null;
  };
  try {
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (cause) {
        return endFor(
          new ApiRequestError(fields, `watch stream broke: ${describeFailure(signal, cause)}`, { cause }),
        );
      }
      if (chunk.done) break;
      onData();
      buffer += decoder.decode(chunk.value, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline !== -1) {
        const end = deliver(buffer.slice(0, newline));
        if (end !== null) return end;
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
      }
    }
    return deliver(buffer + decoder.decode()) ?? { kind: 'closed' };
  } finally {
    // Ending early (ERROR event, malformed line) leaves the body open: the caller's abort of the
    // request signal, in its own finally, closes it and frees the connection.
    reader.releaseLock();
  }
}

function parseWatchLine(line: string): WatchEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null; // reported by the caller as a malformed line, with the line itself
  }
  if (!isJsonObject(value) || typeof value['type'] !== 'string' || !('object' in value)) return null;
  return { type: value['type'], object: value['object'] };
}

function readListPage(fields: { resource: string; operation: ApiOperation }, text: string): ListPage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ApiResponseError(fields, `the list response is not JSON: ${describeError(cause)}`, { cause });
  }
  const metadata: JsonObject | null =
    isJsonObject(value) && isJsonObject(value['metadata']) ? value['metadata'] : null;
  const items = isJsonObject(value) ? value['items'] : undefined;
  const resourceVersion = metadata?.['resourceVersion'];
  if (typeof resourceVersion !== 'string' || resourceVersion === '') {
    throw new ApiResponseError(fields, 'the list response has no metadata.resourceVersion');
  }
  if (items !== null && items !== undefined && !Array.isArray(items)) {
    throw new ApiResponseError(fields, 'the list response has items that are not a list');
  }
  const token = metadata?.['continue'];
  return {
    items: items ?? [],
    resourceVersion,
    continueToken: typeof token === 'string' && token !== '' ? token : null,
  };
}

/** An ApiStatusError from a non-200 response, with the Status body's reason and message when present. */
function createStatusError(
  fields: { resource: string; operation: ApiOperation },
  statusCode: number,
  text: string,
): ApiStatusError {
  let reason: string | null = null;
  let detail = truncate(text.trim(), MAX_DETAIL) || '(empty body)';
  try {
    const status: unknown = JSON.parse(text);
    if (isJsonObject(status)) {
      if (typeof status['reason'] === 'string') reason = status['reason'];
      if (typeof status['message'] === 'string') detail = truncate(status['message'], MAX_DETAIL);
    }
  } catch {
    // Not a Status object: the raw text (truncated) is the detail.
  }
  return new ApiStatusError({ ...fields, statusCode, reason, detail });
}

/** The abort reason when the signal fired (a timeout, a stop), else the error itself. */
function describeFailure(signal: AbortSignal, cause: unknown): string {
  if (signal.aborted && signal.reason instanceof Error) return `aborted: ${signal.reason.message}`;
  return describeError(cause);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}
