/**
 * Impact of one NetworkPolicy change.
 *
 * A change to policy P (CREATE, UPDATE or DELETE) can only alter traffic
 * whose source is selected by the old or new P (egress side) or whose
 * destination is (ingress side): every other class keeps exactly the same
 * selecting policies and rules. So the analysis builds one class index for
 * both sides (address atoms cut at the ipBlocks of both), and re-evaluates
 * just the rows and columns of the classes the old or new P selects, before
 * and after. It never recomputes the whole cluster.
 */
import type { ClusterSnapshot, PolicyRecord } from '../model/records.js';
import { policyKey } from '../model/records.js';
import type { ClassIndex, Endpoint, EndpointClass, EndpointSpec } from './classes.js';
import { buildClassIndex } from './classes.js';
import type { CompiledPolicy } from './compile.js';
import { collectIpBlockSets, compilePolicy } from './compile.js';
import type { ConnectionSet } from './connection-set.js';
import { equalConnections, isEmptyConnections, subtractConnections } from './connection-set.js';
import type { EndpointOptions } from './endpoints.js';
import { ANALYSIS_ENDPOINTS, listEndpoints } from './endpoints.js';
import type { Evaluator } from './evaluate.js';
import { createEvaluator, policySelects } from './evaluate.js';
import type { IpRange } from './ip-set.js';
import type { Interrupt } from './interrupt.js';
import { NEVER_INTERRUPT, checkInterrupt } from './interrupt.js';

export interface PolicySwap {
  readonly namespace: string;
  readonly name: string;
  /** The policy before the change; null for a CREATE. */
  readonly before: PolicyRecord | null;
  /** The policy after the change; null for a DELETE. */
  readonly after: PolicyRecord | null;
}

export interface ChangeModel {
  readonly index: ClassIndex;
  readonly before: Evaluator;
  readonly after: Evaluator;
  readonly beforePolicy: CompiledPolicy | null;
  readonly afterPolicy: CompiledPolicy | null;
  /** Classes selected by the old or the new policy: the only ones whose sides can change. */
  readonly affected: readonly EndpointClass[];
  /** Endpoints each class belongs to. */
  readonly endpointsOfClass: ReadonlyMap<number, readonly Endpoint[]>;
  /** Throws AnalysisInterruptedError when the caller's interrupt fires. */
  checkpoint(stage: string): void;
}

/** Replaces (or removes, or adds) one policy in a list, keeping the others' order. */
export function swapPolicy(policies: readonly PolicyRecord[], swap: PolicySwap): PolicyRecord[] {
  const key = `${swap.namespace}/${swap.name}`;
  const out = policies.filter((p) => policyKey(p) !== key);
  if (swap.after) out.push(swap.after);
  return out;
}

/**
 * Builds the shared index and both evaluators for a change. `compiled` may
 * hold the compiled policies of the current snapshot (a cache kept by the
 * caller); only the changed policy is compiled here.
 */
export interface ChangeModelOptions {
  /** Which pods and workloads count (default: running pods, templates for future pods). */
  readonly endpoints?: EndpointOptions;
  /** Endpoints that are not in the snapshot but must be evaluated (e.g. assumed DNS pods). */
  readonly extraEndpoints?: readonly EndpointSpec[];
  /** Compiled policies of the snapshot by `ns/name`, when the caller keeps them. */
  readonly compiled?: ReadonlyMap<string, CompiledPolicy>;
  /** Polled between units of work; see interrupt.ts. */
  readonly interrupt?: Interrupt;
}

export function buildChangeModel(
  snapshot: ClusterSnapshot,
  swap: PolicySwap,
  options: ChangeModelOptions = {},
): ChangeModel {
  const {
    endpoints = ANALYSIS_ENDPOINTS,
    extraEndpoints = [],
    compiled,
    interrupt = NEVER_INTERRUPT,
  } = options;
  const key = `${swap.namespace}/${swap.name}`;
  const compile = (p: PolicyRecord): CompiledPolicy => compiled?.get(policyKey(p)) ?? compilePolicy(p);
  const others = snapshot.policies.filter((p) => policyKey(p) !== key).map(compile);
  const beforePolicy = swap.before ? compile(swap.before) : null;
  const afterPolicy = swap.after ? compilePolicy(swap.after) : null;
  const beforePolicies = beforePolicy ? [...others, beforePolicy] : others;
  const afterPolicies = afterPolicy ? [...others, afterPolicy] : others;
  const ipSets = collectIpBlockSets(afterPolicy ? [...beforePolicies, afterPolicy] : beforePolicies);
  const index = buildClassIndex(
    [...listEndpoints(snapshot, endpoints), ...extraEndpoints],
    snapshot.namespaces,
    ipSets,
  );
  const selects = (p: CompiledPolicy | null, c: EndpointClass): boolean => p !== null && policySelects(p, c);
  const affected = index.classes.filter((c) => selects(beforePolicy, c) || selects(afterPolicy, c));
  const endpointsOfClass = new Map<number, Endpoint[]>();
  for (const e of index.endpoints) {
    for (const id of e.classIds) {
      const list = endpointsOfClass.get(id);
      if (list) list.push(e);
      else endpointsOfClass.set(id, [e]);
    }
  }
  return {
    index,
    before: createEvaluator(beforePolicies),
    after: createEvaluator(afterPolicies),
    beforePolicy,
    afterPolicy,
    affected,
    endpointsOfClass,
    checkpoint: (stage) => checkInterrupt(interrupt, stage),
  };
}

export type ImpactPeer =
  | { readonly kind: 'class'; readonly cls: EndpointClass }
  | { readonly kind: 'external'; readonly atom: IpRange };

export interface ImpactEntry {
  readonly src: ImpactPeer;
  readonly dst: ImpactPeer;
  readonly before: ConnectionSet;
  readonly after: ConnectionSet;
  /** Connections allowed before and not after. */
  readonly lost: ConnectionSet;
  /** Connections allowed after and not before. */
  readonly gained: ConnectionSet;
}

/**
 * Every connection (class pair or class/External atom) whose allowed set
 * differs before and after the change. Only rows and columns of affected
 * classes are evaluated.
 */
export function computeImpact(model: ChangeModel): ImpactEntry[] {
  const out: ImpactEntry[] = [];
  const seen = new Set<number>();
  const n = model.index.classes.length;
  const record = (src: ImpactPeer, dst: ImpactPeer, before: ConnectionSet, after: ConnectionSet): void => {
    if (equalConnections(before, after)) return;
    out.push({
      src,
      dst,
      before,
      after,
      lost: subtractConnections(before, after),
      gained: subtractConnections(after, before),
    });
  };
  for (const a of model.affected) {
    model.checkpoint('impact');
    for (const b of model.index.classes) {
      for (const [src, dst] of [
        [a, b],
        [b, a],
      ] as const) {
        const key = src.id * n + dst.id;
        if (seen.has(key)) continue;
        seen.add(key);
        record(
          { kind: 'class', cls: src },
          { kind: 'class', cls: dst },
          model.before.allowed(src, dst),
          model.after.allowed(src, dst),
        );
      }
    }
    for (const atom of model.index.atoms) {
      record(
        { kind: 'class', cls: a },
        { kind: 'external', atom },
        model.before.allowedToExternal(a, atom),
        model.after.allowedToExternal(a, atom),
      );
      record(
        { kind: 'external', atom },
        { kind: 'class', cls: a },
        model.before.allowedFromExternal(atom, a),
        model.after.allowedFromExternal(atom, a),
      );
    }
  }
  return out;
}

/** Union of what a class's side allows in a direction towards every class and atom. */
export function sideAllowsAnything(
  evaluator: Evaluator,
  index: ClassIndex,
  c: EndpointClass,
  direction: 'ingress' | 'egress',
): boolean {
  if (!evaluator.isIsolated(c, direction)) return true;
  for (const other of index.classes) {
    if (!isEmptyConnections(evaluator.sideAllows(c, direction, { kind: 'class', cls: other }))) return true;
  }
  for (const atom of index.atoms) {
    if (!isEmptyConnections(evaluator.sideAllows(c, direction, { kind: 'external', atom }))) return true;
  }
  return false;
}
