import t from 'tap';
import { computeBackoffDelay, DEFAULT_BACKOFF } from '../../src/cluster/live/backoff.js';
import { assessReadiness, type SyncState } from '../../src/cluster/live/readiness.js';
import { isSameData } from '../../src/cluster/live/plain-data.js';
import { RecordStore } from '../../src/cluster/live/record-store.js';
import { ValuePool } from '../../src/cluster/live/value-pool.js';
import { ApiStatusError, WatchEventError, isResourceExpired } from '../../src/cluster/live/errors.js';

t.test('backoff: exponential, jittered, capped; no delay without failures', async (t) => {
  const policy = { ...DEFAULT_BACKOFF, initialMs: 100, maxMs: 1000, factor: 2, jitter: 0.5 };
  t.equal(
    computeBackoffDelay(0, policy, () => 0.9),
    0,
  );
  t.same(
    [1, 2, 3, 4, 5].map((n) => computeBackoffDelay(n, policy, () => 0)),
    [100, 200, 400, 800, 1000],
  );
  t.equal(
    computeBackoffDelay(1, policy, () => 0.999),
    150,
    'jitter adds up to 50 %',
  );
  t.equal(
    computeBackoffDelay(4, policy, () => 0.999),
    1000,
    'the cap holds with jitter',
  );
  t.equal(
    computeBackoffDelay(10_000, policy, () => 0.5),
    1000,
    'huge failure counts stay finite',
  );
});

function state(overrides: Partial<SyncState> & { resource: string }): SyncState {
  return { listed: true, synced: true, unsyncedSince: null, lastError: null, ...overrides };
}

t.test('readiness: first list, grace period, reasons', async (t) => {
  const now = 1_000_000;
  t.same(assessReadiness([state({ resource: 'pods' }), state({ resource: 'services' })], now, 30_000), {
    ready: true,
    reason: null,
  });

  const waiting = assessReadiness(
    [
      state({ resource: 'pods', listed: false, synced: false, lastError: 'list pods: HTTP 403: forbidden' }),
      state({ resource: 'services' }),
    ],
    now,
    30_000,
  );
  t.equal(waiting.ready, false);
  t.equal(
    waiting.reason,
    'waiting for the initial list of pods (1 of 2 resources listed); pods: list pods: HTTP 403: forbidden',
  );

  const resyncing = assessReadiness(
    [state({ resource: 'pods', synced: false, unsyncedSince: now - 5_000, lastError: 'watch pods: reset' })],
    now,
    30_000,
  );
  t.same(resyncing, { ready: true, reason: 'pods resyncing for 5.0 s (watch pods: reset)' });

  const stale = assessReadiness(
    [
      state({
        resource: 'pods',
        synced: false,
        unsyncedSince: now - 45_000,
        lastError: 'watch pods: refused',
      }),
      state({ resource: 'services', synced: false, unsyncedSince: now - 1_000 }),
    ],
    now,
    30_000,
  );
  t.same(stale, { ready: false, reason: 'pods not synced for 45 s (grace 30 s) (watch pods: refused)' });
});

t.test('isSameData compares plain data structurally', async (t) => {
  t.ok(
    isSameData({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] }),
    'key order does not matter',
  );
  t.notOk(isSameData({ a: 1 }, { a: 1, b: undefined }));
  t.notOk(isSameData([1, 2], [2, 1]));
  t.notOk(isSameData({ a: [] }, { a: {} }));
  t.notOk(isSameData(null, {}));
});

t.test('RecordStore reports whether anything changed', async (t) => {
  const store = new RecordStore<{ v: number }>();
  const id = { namespace: 'ns', name: 'a' };
  t.equal(store.upsert(id, { v: 1 }), true, 'new');
  t.equal(store.upsert(id, { v: 1 }), false, 'same data');
  t.equal(store.upsert(id, { v: 2 }), true, 'changed');
  t.equal(store.size, 1);
  const same = new RecordStore<{ v: number }>();
  same.upsert(id, { v: 2 });
  t.equal(store.replaceWith(same), false, 'a relist with the same records is no change');
  const other = new RecordStore<{ v: number }>();
  other.upsert({ namespace: 'ns', name: 'b' }, { v: 2 });
  t.equal(store.replaceWith(other), true);
  t.same([...store.values()], [{ v: 2 }]);
  t.equal(store.get(id), undefined, 'a is gone after the relist');
  t.equal(store.remove({ namespace: 'ns', name: 'b' }), true);
  t.equal(store.remove({ namespace: 'ns', name: 'b' }), false);
  t.equal(store.size, 0);
});

t.test('ValuePool shares equal values', async (t) => {
  const pool = new ValuePool();
  const first = pool.share('labels', { app: 'web' });
  t.equal(pool.share('labels', { app: 'web' }), first, 'the same object for equal content');
  t.not(pool.share('labels', { app: 'db' }), first);
  t.not(pool.share('owner', { app: 'web' }), first, 'never across categories');
  t.equal(pool.size, 3);
});

t.test('410 is recognised as an HTTP status and as a watch ERROR event', async (t) => {
  const fields = { resource: 'pods', operation: 'watch' as const, reason: 'Expired', detail: 'too old' };
  t.ok(isResourceExpired(new ApiStatusError({ ...fields, statusCode: 410 })));
  t.notOk(isResourceExpired(new ApiStatusError({ ...fields, statusCode: 500 })));
  t.ok(
    isResourceExpired(
      new WatchEventError({ resource: 'pods', statusCode: 410, reason: 'Expired', detail: 'x' }),
    ),
  );
  t.notOk(isResourceExpired(new Error('410')));
});
