/**
 * A check state derived change by change (what the webhook does after each
 * admitted policy) must decide exactly like one prepared from scratch for the
 * same cluster state.
 */
import t from 'tap';
import { deriveCheckState, prepareCheckState } from '../../src/checks/context.js';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { changeOf, snapshotOf } from '../../bench/engine-bench.js';
import { generateCluster } from '../../bench/generator.js';

t.test('derived states decide like fresh ones along a change stream', async (t) => {
  const cluster = generateCluster({ name: 'XS', namespaces: 8, pods: 240, policies: 40 }, 7);
  const config = defaultConfig();
  let derived = prepareCheckState(snapshotOf(cluster.objects), config);
  let steps = 0;
  for (const spec of cluster.changes.slice(0, 25)) {
    const change = changeOf(spec);
    const fresh = prepareCheckState(derived.snapshot, config);
    const a = decideChange(derived, change, config);
    const b = decideChange(fresh, change, config);
    t.same(
      a.findings.map((f) => [f.rule, f.severity, f.message]),
      b.findings.map((f) => [f.rule, f.severity, f.message]),
      `${change.operation} ${change.namespace}/${change.name}`,
    );
    if (a.allowed) {
      derived = deriveCheckState(derived, change);
      steps++;
    }
  }
  t.ok(steps > 5, `the stream admitted ${steps} changes on top of each other`);
});
