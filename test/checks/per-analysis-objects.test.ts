/**
 * Objects made anew for every analysed change carry no accessor (getter) of their own.
 *
 * Why a test: V8 keeps an own accessor in the object's hidden class, so every object made with
 * one gets a hidden class of its own, in the old generation. That hidden class holds the getter's
 * closure, and through it everything the analysis built, for as long as the hidden class lives:
 * until the next full collection, not the next young one. Measured at M (bench/generator.ts): each
 * young collection in the webhook copied about 8 MB it could not free and paused reviews for
 * 10-25 ms. A getter on a class prototype is shared, and is fine.
 *
 * Findings are left out: their lazy `fix` is an own accessor, but one getter shared by every
 * finding (lazy-fix.ts, and its test), which holds nothing of the analysis.
 */
import t from 'tap';
import { buildCheckContext, prepareCheckState } from '../../src/checks/context.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import { changeOf, snapshotOf } from '../../bench/engine-bench.js';
import { generateCluster } from '../../bench/generator.js';

function ownAccessors(value: object): string[] {
  return Object.entries(Object.getOwnPropertyDescriptors(value))
    .filter(([, d]) => d.get !== undefined || d.set !== undefined)
    .map(([key]) => key);
}

t.test('the context and the models of an analysis have no own accessor', async (t) => {
  const cluster = generateCluster({ name: 'XS', namespaces: 8, pods: 240, policies: 40 }, 7);
  const config = defaultConfig();
  const state = prepareCheckState(snapshotOf(cluster.objects), config);
  for (const spec of cluster.changes.slice(0, 30)) {
    const change = changeOf(spec);
    const what = `${change.operation} ${change.namespace}/${change.name}`;
    const ctx = buildCheckContext(state, change);
    t.same(ownAccessors(ctx), [], `context of ${what}`);
    t.same(ownAccessors(ctx.model), [], `change model of ${what}`);
    t.same(ownAccessors(ctx.model.before), [], `model before ${what}`);
    t.same(ownAccessors(ctx.model.after), [], `model after ${what}`);
  }
});
