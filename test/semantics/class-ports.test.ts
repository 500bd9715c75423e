/**
 * classPortsOf keeps the largest rule's classes as they are and lists the others: it must answer
 * exactly like a plain map from each class to the merged ports of every rule naming it.
 */
import fc from 'fast-check';
import t from 'tap';
import { BULK_MIN, classPortsOf, type NamedClasses } from '../../src/semantics/class-ports.js';
import type { CompiledPorts } from '../../src/semantics/compile.js';
import { compilePorts, mergePorts } from '../../src/semantics/compile.js';
import { formatConnections } from '../../src/semantics/connection-set.js';

const PORTS: readonly CompiledPorts[] = [
  compilePorts([{ protocol: 'TCP', port: 80, endPort: null }]),
  compilePorts([{ protocol: 'TCP', port: 443, endPort: null }]),
  compilePorts([{ protocol: 'UDP', port: 53, endPort: null }]),
  compilePorts([{ protocol: 'TCP', port: 'metrics', endPort: null }]),
  compilePorts([]),
];

const show = (list: readonly CompiledPorts[] | undefined): string => {
  if (list === undefined) return '-';
  const m = mergePorts(list);
  return `${m.all}|${formatConnections(m.numeric)}|${m.named.map((n) => `${n.name}/${n.protocol}`).sort()}`;
};

/** Rules naming id ranges; some large enough to be kept as they are. */
const rulesArb = fc.array(
  fc.record({
    from: fc.integer({ min: 0, max: 300 }),
    count: fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: BULK_MIN, max: BULK_MIN * 3 })),
    stride: fc.integer({ min: 1, max: 3 }),
    ports: fc.integer({ min: 0, max: PORTS.length - 1 }),
  }),
  { maxLength: 5 },
);

t.test('answers like a map of merged ports, whichever rule is kept as it is', async (t) => {
  fc.assert(
    fc.property(rulesArb, (specs) => {
      const rules: NamedClasses[] = specs.map((s) => ({
        ids: new Set(Array.from({ length: s.count }, (_, i) => s.from + i * s.stride)),
        ports: PORTS[s.ports] as CompiledPorts,
      }));
      const reference = new Map<number, CompiledPorts[]>();
      for (const r of rules)
        for (const id of r.ids) reference.set(id, [...(reference.get(id) ?? []), r.ports]);
      const got = classPortsOf(rules);
      for (let id = -1; id <= 300 + 3 * BULK_MIN * 3 + 1; id++) {
        if (got.has(id) !== reference.has(id)) throw new Error(`has(${id})`);
        if (show(got.get(id)) !== show(reference.get(id))) throw new Error(`get(${id})`);
        const one = got.get(id);
        if (one !== undefined && one.length !== 1) throw new Error(`get(${id}) is not merged`);
      }
      const keys = [...got.keys()];
      if (new Set(keys).size !== keys.length) throw new Error('keys() repeats an id');
      if (got.size !== reference.size) throw new Error(`size ${got.size}, want ${reference.size}`);
      if (
        JSON.stringify(keys.sort((a, b) => a - b)) !==
        JSON.stringify([...reference.keys()].sort((a, b) => a - b))
      )
        throw new Error('keys()');
      const entries = [...got.entries()].map(([id, l]) => `${id}:${show(l)}`).sort();
      const want = [...reference].map(([id, l]) => `${id}:${show(l)}`).sort();
      if (JSON.stringify(entries) !== JSON.stringify(want)) throw new Error('entries()');
    }),
    { numRuns: 500, seed: 11 },
  );
  t.pass('500 rule sets agree');
});

t.test('a rule naming many classes is not copied', async (t) => {
  const wide = new Set(Array.from({ length: 1000 }, (_, i) => i));
  const got = classPortsOf([
    { ids: wide, ports: PORTS[0] as CompiledPorts },
    { ids: new Set([5, 2000]), ports: PORTS[1] as CompiledPorts },
  ]);
  t.notOk(got instanceof Map, 'kept as a view over the wide rule');
  t.equal(show(got.get(5)), show([PORTS[0] as CompiledPorts, PORTS[1] as CompiledPorts]));
  t.equal(show(got.get(999)), show([PORTS[0] as CompiledPorts]));
  t.equal(show(got.get(2000)), show([PORTS[1] as CompiledPorts]));
  t.equal(got.get(3000), undefined);
});
