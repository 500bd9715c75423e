/**
 * A small fake Kubernetes API server for list/watch tests, on 127.0.0.1 (plain HTTP, port 0).
 *
 * It speaks the real protocol as client-node sees it:
 * - `GET /api/v1/<resource>` and `GET /apis/<group>/<version>/<resource>` list every object, with
 *   `metadata.resourceVersion`, `limit`/`continue` pagination over a consistent snapshot, list
 *   items without kind/apiVersion (as the API server encodes typed lists);
 * - `?watch=true&resourceVersion=N` streams chunked JSON lines (`{"type":"ADDED","object":{...}}`)
 *   of every change after N in resourceVersion order, BOOKMARK events on request
 *   (`allowWatchBookmarks=true`), and ends after `timeoutSeconds`;
 * - a resourceVersion (or continue token) older than the last compaction gets 410 Gone, as an
 *   HTTP status or as an ERROR event carrying a Status with code 410 (`expiredMode`).
 * Tests can drop watch connections mid-stream, end them cleanly, refuse connections (API down),
 * delay responses (slow server) and make requests fail with a status.
 */

import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export type JsonObject = Record<string, unknown>;
export type ExpiredMode = 'http' | 'event';
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface ResourceType {
  readonly kind: string;
  readonly apiVersion: string;
  readonly namespaced: boolean;
}

const RESOURCE_TYPES: Readonly<Record<string, ResourceType>> = {
  namespaces: { kind: 'Namespace', apiVersion: 'v1', namespaced: false },
  pods: { kind: 'Pod', apiVersion: 'v1', namespaced: true },
  services: { kind: 'Service', apiVersion: 'v1', namespaced: true },
  replicationcontrollers: { kind: 'ReplicationController', apiVersion: 'v1', namespaced: true },
  networkpolicies: { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', namespaced: true },
  deployments: { kind: 'Deployment', apiVersion: 'apps/v1', namespaced: true },
  replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1', namespaced: true },
  statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1', namespaced: true },
  daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1', namespaced: true },
  jobs: { kind: 'Job', apiVersion: 'batch/v1', namespaced: true },
  cronjobs: { kind: 'CronJob', apiVersion: 'batch/v1', namespaced: true },
};

/** One request as the server saw it. */
export interface RecordedRequest {
  readonly resource: string;
  readonly watch: boolean;
  readonly query: Readonly<Record<string, string>>;
}

interface HistoryEvent {
  readonly rv: number;
  readonly resource: string;
  readonly type: WatchEventType;
  readonly object: JsonObject;
}

interface Watcher {
  readonly resource: string;
  readonly response: ServerResponse;
  readonly bookmarks: boolean;
  readonly timer: NodeJS.Timeout;
}

interface FrozenList {
  readonly rv: number;
  readonly items: readonly JsonObject[];
}

interface InjectedFailure {
  readonly resource: string | null;
  readonly watch: boolean | null;
  readonly status: number;
  remaining: number;
}

export class FakeApiServer {
  /** How an expired resourceVersion is reported on watch: HTTP 410 or an ERROR event. */
  expiredMode: ExpiredMode = 'http';
  /** Delay before answering any request. */
  latencyMs = 0;
  readonly requests: RecordedRequest[] = [];

  private readonly server: Server;
  private portNumber = 0;
  private listening = false;
  private rv = 1000;
  private compactedRv = 0;
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  /** Lists being paged. Stored objects are never mutated (apply stores a new copy), so no cloning. */
  private readonly frozenLists = new Map<string, FrozenList>();
  private nextListId = 1;
  private readonly failures: InjectedFailure[] = [];
  /** Pending latency delays: going down ends them, so a slow request never outlives the server. */
  private readonly sleeps = new Set<() => void>();

  private constructor() {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
    this.server.keepAliveTimeout = 1000;
  }

  static async start(): Promise<FakeApiServer> {
    const fake = new FakeApiServer();
    await fake.listen(0);
    return fake;
  }

  get port(): number {
    return this.portNumber;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portNumber}`;
  }

  /** The current resourceVersion (of the last change). */
  get resourceVersion(): number {
    return this.rv;
  }

  /** A KubeConfig for this server (plain HTTP needs insecure-skip-tls-verify in client-node). */
  kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(this.kubeConfigYaml());
    return kubeConfig;
  }

  kubeConfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: fake',
      '  cluster:',
      `    server: ${this.url}`,
      '    insecure-skip-tls-verify: true',
      'users:',
      '- name: tester',
      '  user:',
      '    token: fake-token',
      'contexts:',
      '- name: fake',
      '  context:',
      '    cluster: fake',
      '    user: tester',
      'current-context: fake',
      '',
    ].join('\n');
  }

  // --- state ---------------------------------------------------------------------------------

  /** Adds or replaces an object (ADDED or MODIFIED), with a new resourceVersion; returns the stored copy. */
  apply(resource: string, object: JsonObject): JsonObject {
    const type = resourceType(resource);
    const stored = structuredClone(object);
    stored['kind'] ??= type.kind;
    stored['apiVersion'] ??= type.apiVersion;
    const metadata = ensureMetadata(stored);
    if (type.namespaced) metadata['namespace'] ??= 'default';
    const key = objectKey(metadata);
    const existing = this.store(resource).get(key);
    this.rv++;
    metadata['resourceVersion'] = String(this.rv);
    metadata['uid'] ??= existing === undefined ? `uid-${this.rv}` : ensureMetadata(existing)['uid'];
    this.store(resource).set(key, stored);
    this.publish({
      rv: this.rv,
      resource,
      type: existing === undefined ? 'ADDED' : 'MODIFIED',
      object: stored,
    });
    return stored;
  }

  /** Deletes an object (DELETED, carrying its last state with a new resourceVersion); false when absent. */
  remove(resource: string, namespace: string | null, name: string): boolean {
    const key = `${namespace ?? ''}/${name}`;
    const existing = this.store(resource).get(key);
    if (existing === undefined) return false;
    this.store(resource).delete(key);
    this.rv++;
    const object = structuredClone(existing);
    ensureMetadata(object)['resourceVersion'] = String(this.rv);
    this.publish({ rv: this.rv, resource, type: 'DELETED', object });
    return true;
  }

  /** Every stored object of a resource (or of all resources), with kind and apiVersion. */
  list(resource?: string): JsonObject[] {
    const resources = resource === undefined ? [...this.objects.keys()] : [resource];
    return resources.flatMap((r) => sortByKey([...this.store(r).values()])).map((o) => structuredClone(o));
  }

  /** Forgets history up to now: watches and continue tokens from an older resourceVersion get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  // --- watch control -------------------------------------------------------------------------

  /** Open watch connections, of one resource or all. */
  openWatches(resource?: string): number {
    return [...this.watchers].filter((w) => resource === undefined || w.resource === resource).length;
  }

  /** Sends a BOOKMARK at the current resourceVersion to watchers that asked for bookmarks. */
  bookmark(resource?: string): void {
    for (const watcher of this.watchers) {
      if (resource !== undefined && watcher.resource !== resource) continue;
      if (!watcher.bookmarks) continue;
      const type = resourceType(watcher.resource);
      writeEvent(watcher.response, {
        type: 'BOOKMARK',
        object: {
          kind: type.kind,
          apiVersion: type.apiVersion,
          metadata: { resourceVersion: String(this.rv) },
        },
      });
    }
  }

  /** Destroys watch connections mid-stream (no terminating chunk). */
  dropWatches(resource?: string): void {
    for (const watcher of [...this.watchers]) {
      if (resource !== undefined && watcher.resource !== resource) continue;
      this.forget(watcher);
      watcher.response.socket?.destroy();
    }
  }

  /** Ends the open watches of a resource with an ERROR event carrying a Status (as the API server does). */
  failWatches(resource: string, code: number, reason: string, message: string): void {
    for (const watcher of [...this.watchers]) {
      if (watcher.resource !== resource) continue;
      this.forget(watcher);
      writeEvent(watcher.response, { type: 'ERROR', object: statusBody(code, reason, message) });
      watcher.response.end();
    }
  }

  /** Writes a raw line (e.g. malformed JSON) to the open watches of a resource. */
  writeRawLine(resource: string, line: string): void {
    for (const watcher of this.watchers) {
      if (watcher.resource === resource && !watcher.response.writableEnded)
        watcher.response.write(`${line}\n`);
    }
  }

  /** Ends watch responses cleanly, as the server does after timeoutSeconds. */
  endWatches(resource?: string): void {
    for (const watcher of [...this.watchers]) {
      if (resource !== undefined && watcher.resource !== resource) continue;
      this.forget(watcher);
      watcher.response.end();
    }
  }

  /** Answers the next `count` matching requests with `status` and a Status body. */
  failNext(options: { resource?: string; watch?: boolean; status: number; count?: number }): void {
    this.failures.push({
      resource: options.resource ?? null,
      watch: options.watch ?? null,
      status: options.status,
      remaining: options.count ?? 1,
    });
  }

  // --- availability --------------------------------------------------------------------------

  /** Stops listening (connections are refused) and drops every open connection. */
  async goDown(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    for (const watcher of [...this.watchers]) this.forget(watcher);
    for (const wake of [...this.sleeps]) wake();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  /** Listens again on the same port. */
  async comeUp(): Promise<void> {
    if (this.listening) return;
    await this.listen(this.portNumber);
  }

  async close(): Promise<void> {
    await this.goDown();
  }

  // --- HTTP ----------------------------------------------------------------------------------

  private async listen(port: number): Promise<void> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.portNumber = (this.server.address() as AddressInfo).port;
    this.listening = true;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://fake');
    const resource = parseResource(url.pathname);
    const query = Object.fromEntries(url.searchParams.entries());
    const watch = query['watch'] === 'true' || query['watch'] === '1';
    if (resource !== null) this.requests.push({ resource, watch, query });
    if (this.latencyMs > 0) await this.sleep(this.latencyMs);
    if (response.destroyed) return;
    if (request.method !== 'GET')
      return sendStatus(response, 405, 'MethodNotAllowed', `${request.method} is not supported`);
    if (resource === null) return sendStatus(response, 404, 'NotFound', `no resource at ${url.pathname}`);
    const failure = this.takeFailure(resource, watch);
    if (failure !== null) return sendStatus(response, failure, 'InternalError', 'injected failure');
    if (watch) return this.serveWatch(resource, query, response);
    return this.serveList(resource, query, response);
  }

  private serveList(
    resource: string,
    query: Readonly<Record<string, string>>,
    response: ServerResponse,
  ): void {
    const type = resourceType(resource);
    const limit = query['limit'] === undefined ? 0 : Number(query['limit']);
    let listId: string;
    let offset: number;
    let frozen: FrozenList | undefined;
    const token = query['continue'];
    if (token !== undefined && token !== '') {
      const decoded = decodeContinue(token);
      frozen = decoded === null ? undefined : this.frozenLists.get(decoded.listId);
      if (decoded === null || frozen === undefined || decoded.rv < this.compactedRv) {
        return sendStatus(
          response,
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result.',
        );
      }
      listId = decoded.listId;
      offset = decoded.offset;
    } else {
      listId = String(this.nextListId++);
      offset = 0;
      frozen = {
        rv: this.rv,
        items: sortByKey([...this.store(resource).values()]),
      };
      this.frozenLists.set(listId, frozen);
    }
    const end = limit > 0 ? Math.min(frozen.items.length, offset + limit) : frozen.items.length;
    const metadata: JsonObject = { resourceVersion: String(frozen.rv) };
    if (end < frozen.items.length) {
      metadata['continue'] = encodeContinue({ listId, rv: frozen.rv, offset: end });
      metadata['remainingItemCount'] = frozen.items.length - end;
    } else {
      this.frozenLists.delete(listId);
    }
    const items = frozen.items.slice(offset, end).map((item) => {
      const { kind: _kind, apiVersion: _apiVersion, ...rest } = item;
      return rest;
    });
    sendJson(response, 200, { kind: `${type.kind}List`, apiVersion: type.apiVersion, metadata, items });
  }

  private serveWatch(
    resource: string,
    query: Readonly<Record<string, string>>,
    response: ServerResponse,
  ): void {
    const from = query['resourceVersion'] ?? '';
    const fromRv = from === '' || from === '0' ? null : Number(from);
    if (fromRv !== null && (!Number.isFinite(fromRv) || fromRv < this.compactedRv)) {
      const message = `too old resource version: ${from} (${this.compactedRv})`;
      if (this.expiredMode === 'http') return sendStatus(response, 410, 'Expired', message);
      response.writeHead(200, { 'Content-Type': 'application/json' });
      writeEvent(response, { type: 'ERROR', object: statusBody(410, 'Expired', message) });
      response.end();
      return;
    }
    response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    response.flushHeaders();
    if (fromRv === null) {
      for (const object of sortByKey([...this.store(resource).values()]))
        writeEvent(response, { type: 'ADDED', object });
    } else {
      for (const event of this.history) {
        if (event.resource === resource && event.rv > fromRv)
          writeEvent(response, { type: event.type, object: event.object });
      }
    }
    const timeoutSeconds = Number(query['timeoutSeconds'] ?? '0');
    const timer = setTimeout(
      () => {
        this.forget(watcher);
        response.end();
      },
      timeoutSeconds > 0 ? timeoutSeconds * 1000 : 3_600_000,
    );
    timer.unref();
    const watcher: Watcher = {
      resource,
      response,
      bookmarks: query['allowWatchBookmarks'] === 'true',
      timer,
    };
    this.watchers.add(watcher);
    response.on('close', () => this.forget(watcher));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeps.add(wake);
    });
  }

  private publish(event: HistoryEvent): void {
    this.history.push(event);
    for (const watcher of this.watchers) {
      if (watcher.resource === event.resource)
        writeEvent(watcher.response, { type: event.type, object: event.object });
    }
  }

  private forget(watcher: Watcher): void {
    clearTimeout(watcher.timer);
    this.watchers.delete(watcher);
  }

  private takeFailure(resource: string, watch: boolean): number | null {
    const failure = this.failures.find(
      (f) =>
        f.remaining > 0 &&
        (f.resource === null || f.resource === resource) &&
        (f.watch === null || f.watch === watch),
    );
    if (failure === undefined) return null;
    failure.remaining--;
    return failure.status;
  }

  private store(resource: string): Map<string, JsonObject> {
    let store = this.objects.get(resource);
    if (store === undefined) {
      store = new Map();
      this.objects.set(resource, store);
    }
    return store;
  }
}

function resourceType(resource: string): ResourceType {
  const type = RESOURCE_TYPES[resource];
  if (type === undefined) throw new Error(`the fake API server does not know resource ${resource}`);
  return type;
}

/** `/api/v1/pods` -> pods; `/apis/apps/v1/deployments` -> deployments; anything else -> null. */
function parseResource(pathname: string): string | null {
  const match = /^\/(?:api\/v1|apis\/[^/]+\/[^/]+)\/([a-z]+)$/.exec(pathname);
  const resource = match?.[1];
  return resource !== undefined && resource in RESOURCE_TYPES ? resource : null;
}

function ensureMetadata(object: JsonObject): JsonObject {
  const metadata = object['metadata'];
  if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata))
    return metadata as JsonObject;
  const created: JsonObject = {};
  object['metadata'] = created;
  return created;
}

function objectKey(metadata: JsonObject): string {
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  const name = metadata['name'];
  if (typeof name !== 'string' || name === '') throw new Error('the fake API server needs metadata.name');
  return `${namespace}/${name}`;
}

function sortByKey(objects: JsonObject[]): JsonObject[] {
  return objects
    .map((object) => ({ object, key: objectKey(ensureMetadata(object)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ object }) => object);
}

function encodeContinue(token: { listId: string; rv: number; offset: number }): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

function decodeContinue(text: string): { listId: string; rv: number; offset: number } | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { listId, rv, offset } = value as Record<string, unknown>;
    if (typeof listId !== 'string' || typeof rv !== 'number' || typeof offset !== 'number') return null;
    return { listId, rv, offset };
  } catch {
    return null; // an unreadable token is answered like an expired one (410)
  }
}

function statusBody(code: number, reason: string, message: string): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function sendStatus(response: ServerResponse, code: number, reason: string, message: string): void {
  sendJson(response, code, statusBody(code, reason, message));
}

function sendJson(response: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

function writeEvent(response: ServerResponse, event: { type: string; object: unknown }): void {
  if (!response.writableEnded && !response.destroyed) response.write(`${JSON.stringify(event)}\n`);
}
