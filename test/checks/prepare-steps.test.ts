/**
 * prepareCheckStateSteps: the state of a large cluster is prepared in many small steps (so the
 * webhook can answer reviews in between), and the state it ends with decides changes exactly
 * as the one prepareCheckState builds at once.
 */
import t from 'tap';
import { prepareCheckState, prepareCheckStateSteps } from '../../src/checks/context.js';
import { decideChange } from '../../src/checks/decide.js';
import { defaultConfig } from '../../src/checks/defaults.js';
import type { PolicyChange } from '../../src/model/findings.js';
import type { ClusterSnapshot, PodRecord } from '../../src/model/records.js';
import { parseNetworkPolicy } from '../../src/parse/network-policy.js';
import { UNITS_PER_STEP } from '../../src/semantics/steps.js';
import { DENY_ALL_EGRESS, loadFixtureSnapshot, networkPolicy } from '../support/webhook.js';

/** The fixture cluster plus a namespace `big` of 3 × UNITS_PER_STEP pods in 40 apps. */
function largeCluster(): ClusterSnapshot {
  const base = loadFixtureSnapshot();
  const pods: PodRecord[] = Array.from({ length: 3 * UNITS_PER_STEP }, (_, i) => ({
    namespace: 'big',
    name: `pod-${i}`,
    labels: { app: `app-${i % 40}` },
    ips: [`10.200.${Math.floor(i / 250)}.${i % 250}`],
    ports: [],
    hostNetwork: false,
    phase: 'Running',
    owner: null,
  }));
  const ns = {
    name: 'big',
    labels: { 'kubernetes.io/metadata.name': 'big' },
    phase: 'Active' as const,
    implicit: false,
  };
  return { ...base, namespaces: [...base.namespaces, ns], pods: [...base.pods, ...pods] };
}

function createIn(namespace: string, name: string): PolicyChange {
  const parsed = parseNetworkPolicy(networkPolicy(namespace, name, DENY_ALL_EGRESS));
  if (!parsed.ok) throw new Error(`invalid test policy: ${JSON.stringify(parsed)}`);
  return { operation: 'CREATE', namespace, name, object: parsed.policy, oldObject: null };
}

t.test('a large cluster is prepared in many steps, to the same decisions', async (t) => {
  const snapshot = largeCluster();
  const config = defaultConfig();
  const steps = prepareCheckStateSteps(snapshot, config);
  let pauses = 0;
  let r = steps.next();
  for (; r.done !== true; r = steps.next()) pauses++;
  // Listing pods, classifying them and building the lookups each pass over every pod or class.
  t.ok(pauses >= 6, `paused ${pauses} times`);

  const sliced = r.value;
  const atOnce = prepareCheckState(snapshot, config);
  for (const change of [createIn('big', 'deny-egress'), createIn('shop', 'deny-egress')]) {
    t.same(decideChange(sliced, change, config), decideChange(atOnce, change, config), change.namespace);
  }
  t.equal(decideChange(sliced, createIn('big', 'deny-egress'), config).allowed, false, 'big loses DNS');
});
