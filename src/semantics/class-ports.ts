/**
 * The `specific` part of a side summary: per class id, the ports of the rules that name the
 * class. A rule naming thousands of classes (a peer spanning many namespaces) would make every
 * summary holding it copy those thousands of ids; instead the largest rule's id set is kept as it
 * is (`bulk`, shared with the rule's targets) and only the other rules' ids are listed.
 */
import type { CompiledPorts } from './compile.js';
import { mergePorts } from './compile.js';

export interface ClassPorts {
  /** How many classes are named. */
  readonly size: number;
  has(id: number): boolean;
  /** The merged ports for the class (one entry), or undefined when no rule names it. */
  get(id: number): readonly CompiledPorts[] | undefined;
  /** Every class id named, once. */
  keys(): Iterable<number>;
  entries(): Iterable<readonly [number, readonly CompiledPorts[]]>;
}

export const NO_CLASS_PORTS: ClassPorts = new Map<number, readonly CompiledPorts[]>();

/** A rule's contribution: the classes it names and its ports. */
export interface NamedClasses {
  readonly ids: ReadonlySet<number>;
  readonly ports: CompiledPorts;
}

/** Below this many ids a rule's classes are listed like the others: a map lookup is cheapest. */
export const BULK_MIN = 64;

/** The classes named by `rules` with, for each, the ports of every rule naming it merged. */
export function classPortsOf(rules: readonly NamedClasses[]): ClassPorts {
  let bulk: NamedClasses | null = null;
  for (const r of rules) if (r.ids.size >= BULK_MIN && r.ids.size > (bulk?.ids.size ?? 0)) bulk = r;
  // A class named by one rule shares that rule's one-entry list; a class named by several gets a
  // list of its own (`several`), merged below.
  const listed = new Map<number, readonly CompiledPorts[]>();
  const several = new Set<number>();
  const add = (id: number, ports: CompiledPorts, alone: readonly CompiledPorts[]): void => {
    const list = listed.get(id);
    if (!list) listed.set(id, alone);
    else if (several.has(id)) (list as CompiledPorts[]).push(ports);
    else {
      listed.set(id, [...list, ports]);
      several.add(id);
    }
  };
  for (const r of rules) {
    if (r === bulk) continue;
    const alone: readonly CompiledPorts[] = [r.ports];
    for (const id of r.ids) add(id, r.ports, alone);
  }
  // Classes both listed and in the bulk rule (counted once in `size`).
  let listedInBulk = 0;
  if (bulk) {
    // The bulk rule's ports join the lists of the classes other rules name too.
    const alone: readonly CompiledPorts[] = [bulk.ports];
    for (const id of [...listed.keys()]) {
      if (!bulk.ids.has(id)) continue;
      add(id, bulk.ports, alone);
      listedInBulk++;
    }
  }
  // The rules naming one class are merged into one entry: evaluating a pair then costs one union
  // however many rules a policy repeats.
  for (const id of several) listed.set(id, [mergePorts(listed.get(id) as CompiledPorts[])]);
  return bulk
    ? new LayeredClassPorts(listed, bulk.ids, [bulk.ports], listed.size + bulk.ids.size - listedInBulk)
    : listed;
}

class LayeredClassPorts implements ClassPorts {
  constructor(
    private readonly listed: ReadonlyMap<number, readonly CompiledPorts[]>,
    private readonly bulk: ReadonlySet<number>,
    private readonly bulkPorts: readonly CompiledPorts[],
    readonly size: number,
  ) {}

  has(id: number): boolean {
    return this.listed.has(id) || this.bulk.has(id);
  }

  get(id: number): readonly CompiledPorts[] | undefined {
    return this.listed.get(id) ?? (this.bulk.has(id) ? this.bulkPorts : undefined);
  }

  keys(): Iterable<number> {
    const ids = [...this.listed.keys()];
    for (const id of this.bulk) if (!this.listed.has(id)) ids.push(id);
    return ids;
  }

  /** Lazy: its reader (sideAllowsAnything) mostly stops at the first entry. */
  *entries(): Iterable<readonly [number, readonly CompiledPorts[]]> {
    yield* this.listed;
    for (const id of this.bulk) if (!this.listed.has(id)) yield [id, this.bulkPorts];
  }
}
