/**
 * The indexed engine (policy-model, connectivity enumeration, grouped
 * impact) must give exactly the answers of the reference evaluator, which
 * states the semantics pair by pair. fast-check generates small clusters and
 * policies that exercise every feature (selectors and expressions, AND/OR
 * peers, ipBlocks with excepts over pod IPs, named ports, policyTypes) and
 * compares the two on every class pair, every External atom, the full
 * connectivity and the impact of a change.
 */
import fc from 'fast-check';
import t from 'tap';
import { buildClassIndex } from '../../src/semantics/classes.js';
import type { EndpointClass } from '../../src/semantics/classes.js';
import { collectIpBlockSets, compilePolicy } from '../../src/semantics/compile.js';
import type { ConnectionSet } from '../../src/semantics/connection-set.js';
import {
  NO_CONNECTIONS,
  equalConnections,
  formatConnections,
  isEmptyConnections,
  subtractConnections,
} from '../../src/semantics/connection-set.js';
import { buildConnectivityModel, computeConnectivity } from '../../src/semantics/connectivity.js';
import { ANALYSIS_ENDPOINTS, CONNECTIVITY_ENDPOINTS, listEndpoints } from '../../src/semantics/endpoints.js';
import { createEvaluator } from '../../src/semantics/evaluate.js';
import { buildChangeModel, computeImpact, prepareState } from '../../src/semantics/impact.js';
import { formatIpRange, atomizeAddressSpace } from '../../src/semantics/ip-set.js';
import type { IpRange } from '../../src/semantics/ip-set.js';
import { createPolicyModel } from '../../src/semantics/policy-model.js';

import {
  CLUSTER_ARBS,
  NAMESPACES,
  assertForP1Changes,
  clusterArb,
  snapshotOf,
} from '../support/generated-clusters.js';

const show = (c: ConnectionSet): string => formatConnections(c);

t.test('indexed model agrees with the reference on every class pair and atom', async (t) => {
  fc.assert(
    fc.property(clusterArb, ({ pods, policies }) => {
      const snap = snapshotOf(pods, policies);
      const compiled = policies.map((p) => compilePolicy(p));
      const index = buildClassIndex(
        listEndpoints(snap, CONNECTIVITY_ENDPOINTS),
        NAMESPACES,
        collectIpBlockSets(compiled),
      );
      const ref = createEvaluator(compiled);
      const model = createPolicyModel(index, compiled);
      for (const s of index.classes) {
        for (const d of index.classes) {
          if (!equalConnections(ref.allowed(s, d), model.allowed(s, d))) {
            throw new Error(
              `allowed(${s.id},${d.id}): ref ${show(ref.allowed(s, d))} model ${show(model.allowed(s, d))}`,
            );
          }
        }
        for (const atom of index.atoms) {
          if (!equalConnections(ref.allowedToExternal(s, atom), model.allowedToExternal(s, atom)))
            throw new Error(`to ${formatIpRange(atom)}`);
          if (!equalConnections(ref.allowedFromExternal(atom, s), model.allowedFromExternal(atom, s)))
            throw new Error(`from ${formatIpRange(atom)}`);
        }
      }
    }),
    { numRuns: 300, seed: 20261121 },
  );
  t.pass('300 generated clusters agree');
});

t.test('connectivity enumeration equals the brute-force pairwise evaluation', async (t) => {
  fc.assert(
    fc.property(clusterArb, ({ pods, policies }) => {
      const snap = snapshotOf(pods, policies);
      const cm = buildConnectivityModel(snap);
      const got = computeConnectivity(cm);
      const ref = createEvaluator(policies.map((p) => compilePolicy(p)));
      const { index } = cm;
      const expected = new Map<string, string>();
      for (const e of index.endpoints) {
        for (const f of index.endpoints) {
          if (e === f) continue;
          let conn = NO_CONNECTIONS;
          for (const i of e.classIds)
            for (const j of f.classIds)
              conn = unionC(conn, ref.allowed(index.classes[i]!, index.classes[j]!));
          if (show(conn) !== 'No Connections') expected.set(`${e.id}>${f.id}`, show(conn));
        }
      }
      const actual = new Map<string, string>();
      for (const x of got.entries) {
        if (x.src.kind !== 'endpoint' || x.dst.kind !== 'endpoint') continue;
        const pair = `${x.src.id}>${x.dst.id}`;
        if (actual.has(pair)) throw new Error(`pair ${pair} emitted twice`);
        actual.set(pair, show(x.conn));
      }
      if (JSON.stringify([...expected].sort()) !== JSON.stringify([...actual].sort())) {
        throw new Error(
          `pairs differ:\n${JSON.stringify([...expected].sort())}\n${JSON.stringify([...actual].sort())}`,
        );
      }
      // External: every atom of every endpoint, both directions.
      for (const e of index.endpoints) {
        for (const atom of index.atoms) {
          const cls = e.classIds.map((i) => index.classes[i]!);
          const egress = cls.reduce((acc, c) => unionC(acc, ref.allowedToExternal(c, atom)), NO_CONNECTIONS);
          const ingress = cls.reduce(
            (acc, c) => unionC(acc, ref.allowedFromExternal(atom, c)),
            NO_CONNECTIONS,
          );
          const find = (dir: 'egress' | 'ingress'): ConnectionSet => {
            const hit = got.entries.find((x) =>
              dir === 'egress'
                ? x.src.kind === 'endpoint' &&
                  x.src.id === e.id &&
                  x.dst.kind === 'external' &&
                  inRange(x.dst.range, atom)
                : x.dst.kind === 'endpoint' &&
                  x.dst.id === e.id &&
                  x.src.kind === 'external' &&
                  inRange(x.src.range, atom),
            );
            return hit?.conn ?? NO_CONNECTIONS;
          };
          if (!equalConnections(find('egress'), egress))
            throw new Error(`${e.id} egress ${formatIpRange(atom)}`);
          if (!equalConnections(find('ingress'), ingress))
            throw new Error(`${e.id} ingress ${formatIpRange(atom)}`);
        }
      }
    }),
    { numRuns: 200, seed: 7 },
  );
  t.pass('200 generated clusters agree');
});

for (const [name, arb] of CLUSTER_ARBS)
  t.test(`grouped impact equals the brute-force before/after difference (${name} policies)`, async (t) => {
    const numRuns = 1000;
    assertForP1Changes(
      arb,
      ({ op, snapshot, change, policiesBefore: policies, policiesAfter }) => {
        const prepared = prepareState(snapshot, { endpoints: ANALYSIS_ENDPOINTS });
        const model = buildChangeModel(prepared, {
          namespace: change.namespace,
          name: 'p1',
          before: change.oldObject,
          after: change.object,
        });
        // Both modes: every difference, and (what the checks read) only the losses.
        for (const lossesOnly of [false, true]) {
          const impact = computeImpact(model, { lossesOnly });
          const differs = (b: ConnectionSet, a: ConnectionSet): boolean =>
            lossesOnly ? !isEmptyConnections(subtractConnections(b, a)) : !equalConnections(b, a);
          // Expand groups into class pairs / atoms.
          const got = new Map<string, string>();
          const key = (p: (typeof impact)[number]['src']): string[] =>
            p.kind === 'class'
              ? [`c${p.cls.id}`]
              : p.kind === 'group'
                ? p.classes().map((c) => `c${c.id}`)
                : [`x${formatIpRange(p.range)}`];
          const externalGot: { src: string; dst: string; range: IpRange; before: string; after: string }[] =
            [];
          for (const e of impact) {
            if (e.src.kind === 'external' || e.dst.kind === 'external') {
              const cls = e.src.kind === 'external' ? key(e.dst)[0]! : key(e.src)[0]!;
              const range = e.src.kind === 'external' ? e.src.range : (e.dst as { range: IpRange }).range;
              externalGot.push({
                src: e.src.kind === 'external' ? 'ext' : cls,
                dst: e.dst.kind === 'external' ? 'ext' : cls,
                range,
                before: show(e.before),
                after: show(e.after),
              });
              continue;
            }
            for (const s of key(e.src)) {
              for (const d of key(e.dst)) {
                if (got.has(`${s}>${d}`)) throw new Error(`impact lists ${s}>${d} twice (${op})`);
                got.set(`${s}>${d}`, `${show(e.before)}|${show(e.after)}`);
              }
            }
          }
          const refBefore = createEvaluator(policies.map((p) => compilePolicy(p)));
          const refAfter = createEvaluator(policiesAfter.map((p) => compilePolicy(p)));
          const expected = new Map<string, string>();
          const classes: EndpointClass[] = [...model.index.classes];
          for (const s of classes) {
            for (const d of classes) {
              const b = refBefore.allowed(s, d);
              const a = refAfter.allowed(s, d);
              if (differs(b, a)) expected.set(`c${s.id}>c${d.id}`, `${show(b)}|${show(a)}`);
            }
          }
          if (JSON.stringify([...expected].sort()) !== JSON.stringify([...got].sort())) {
            throw new Error(
              `impact differs (${op}, lossesOnly ${lossesOnly}):\nexpected ${JSON.stringify([...expected].sort())}\ngot      ${JSON.stringify([...got].sort())}`,
            );
          }
          const atoms = atomizeAddressSpace(
            collectIpBlockSets([...policies, ...policiesAfter].map((p) => compilePolicy(p))),
          );
          for (const c of classes) {
            for (const atom of atoms) {
              for (const dir of ['egress', 'ingress'] as const) {
                const b =
                  dir === 'egress'
                    ? refBefore.allowedToExternal(c, atom)
                    : refBefore.allowedFromExternal(atom, c);
                const a =
                  dir === 'egress'
                    ? refAfter.allowedToExternal(c, atom)
                    : refAfter.allowedFromExternal(atom, c);
                const hit = externalGot.find(
                  (x) =>
                    (dir === 'egress'
                      ? x.src === `c${c.id}` && x.dst === 'ext'
                      : x.dst === `c${c.id}` && x.src === 'ext') && inRange(x.range, atom),
                );
                const want = differs(b, a) ? `${show(b)}|${show(a)}` : null;
                const have = hit ? `${hit.before}|${hit.after}` : null;
                if (want !== have)
                  throw new Error(
                    `external ${dir} c${c.id} ${formatIpRange(atom)} (lossesOnly ${lossesOnly}): want ${want} have ${have}`,
                  );
              }
            }
          }
        }
      },
      { numRuns, seed: 99 },
    );
    t.pass(`${numRuns} generated changes agree`);
  });

function inRange(r: IpRange, atom: IpRange): boolean {
  return r.family === atom.family && r.lo <= atom.lo && atom.hi <= r.hi;
}

import { unionConnections as unionC } from '../../src/semantics/connection-set.js';
