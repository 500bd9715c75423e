/**
 * Generators of hostile and malformed input (fast-check), shared by the webhook fuzz test and the
 * manifest loader fuzz test: plausible NetworkPolicies and other objects, AdmissionReviews around
 * them, then mutations at any depth (wrong types, extreme numbers, numbers as strings, invalid
 * CIDRs, unknown protocols, very long or odd unicode strings, deep nesting, nulls, missing fields)
 * and mutations of the raw text (truncation, duplicate keys, garbage, BOM).
 */
import fc from 'fast-check';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

// --- hostile values ----------------------------------------------------------------------------

const EXTREME_SCALARS: readonly Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  65535,
  65536,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  -1e308,
  5e-324,
  '',
  ' ',
  '80',
  '-1',
  '0x50',
  '1e3',
  '65536',
  'TCP',
  'tcp',
  'ICMP',
  'SCTP',
  'HTTP',
  'http',
  'NaN',
  'null',
  'true',
  '10.0.0.0/8',
  '10.0.0.0/33',
  '10.0.0.1/8',
  '300.1.1.1/8',
  '10.0.0.0/08',
  '010.0.0.0/8',
  '0.0.0.0/0',
  '::/0',
  '2001:db8::/129',
  'fe80::1%eth0/64',
  '::ffff:10.0.0.0/104',
  '10.0.0.0',
  'In',
  'Exists',
  'Ingress',
  'Egress',
  '__proto__',
  'constructor',
  '\u0000',
  '\uFEFF',
  '\u202Eevil',
  'é',
  '💥',
  'ä'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(254),
  'x'.repeat(70_000),
];

/** One odd scalar: extremes, arbitrary numbers and strings (unicode, lone surrogates), addresses. */
export const hostileScalar: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...EXTREME_SCALARS) },
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.ipV4(),
  fc.ipV6(),
  fc.tuple(fc.oneof(fc.ipV4(), fc.ipV6()), fc.integer({ min: -1, max: 130 })).map(([ip, n]) => `${ip}/${n}`),
);

/** Nesting `depth` levels deep, of arrays or objects. */
export function nest(depth: number, shape: 'array' | 'object', leaf: Json = 1): Json {
  let value: Json = leaf;
  for (let i = 0; i < depth; i++) value = shape === 'array' ? [value] : { a: value };
  return value;
}

/** Anything at all where a value is expected. */
export const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 5, arbitrary: hostileScalar },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  fc
    .tuple(fc.constantFrom(10, 200, 2000), fc.constantFrom<'array' | 'object'>('array', 'object'))
    .map(([depth, shape]) => nest(depth, shape)),
  // many small items (a long string repeated thousands of times would only test the test's memory)
  fc
    .tuple(fc.constantFrom<Json>(null, 1, -1, 'a', '80', {}, []), fc.constantFrom(100, 5000))
    .map(([v, n]) => Array.from({ length: n }, () => v)),
  fc.constantFrom<Json>([], {}, [null], { '': null }),
);

// --- plausible objects ----------------------------------------------------------------------------

const NAMESPACES = ['shop', 'shop', 'payments', 'blog', 'blog', 'kube-system', 'leaving', 'nowhere'];
const labelKey = fc.constantFrom(
  'app',
  'tier',
  'team',
  'k8s-app',
  'kubernetes.io/metadata.name',
  'x.io/role',
);
const labelValue = fc.constantFrom('web', 'api', 'cart', 'frontend', 'kube-dns', 'shop', 'blog', 'db', '');
const name = fc.oneof(
  fc.constantFrom('p', 'allow-dns', 'default-deny', 'web', 'cart', 'frontend'),
  fc.stringMatching(/^[a-z]([-a-z0-9]{0,12}[a-z0-9])?$/),
);

const expression: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({
    key: labelKey,
    operator: fc.constantFrom('In', 'NotIn'),
    values: fc.array(labelValue, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ key: labelKey, operator: fc.constantFrom('Exists', 'DoesNotExist') }),
  // as people get it wrong: values with Exists, no values with In
  fc.record({
    key: labelKey,
    operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
    values: fc.array(labelValue, { maxLength: 3 }),
  }),
);

const someSelector: fc.Arbitrary<JsonObject> = fc.record(
  {
    matchLabels: fc.dictionary(labelKey, labelValue, { maxKeys: 3 }),
    matchExpressions: fc.array(expression, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

/** Often `{}` (everything), which is what reaches pods and so the interesting findings. */
const selector: fc.Arbitrary<JsonObject> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({}) },
  { weight: 3, arbitrary: someSelector },
);

const cidr: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, n]) => `${ip}/${n}`),
  fc.tuple(fc.ipV6(), fc.integer({ min: 0, max: 128 })).map(([ip, n]) => `${ip}/${n}`),
);

/** Mostly valid blocks (excepts inside the CIDR), sometimes arbitrary ones. */
const ipBlock: fc.Arbitrary<JsonObject> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom<JsonObject>(
      { cidr: '0.0.0.0/0' },
      { cidr: '0.0.0.0/0', except: ['10.0.0.0/8', '192.168.0.0/16'] },
      { cidr: '10.0.0.0/8', except: ['10.96.0.0/12'] },
      { cidr: '10.96.0.10/32' },
      { cidr: '203.0.113.0/24' },
      { cidr: '::/0', except: ['fd00::/8'] },
      { cidr: '2001:db8::/32', except: ['2001:db8:1::/48', '2001:db8:2::/48'] },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ cidr, except: fc.array(cidr, { maxLength: 3 }) }, { requiredKeys: ['cidr'] }),
  },
);

const peer: fc.Arbitrary<JsonObject> = fc.oneof(
  fc.record({ podSelector: selector }),
  fc.record({ namespaceSelector: selector }),
  fc.record({ namespaceSelector: selector, podSelector: selector }),
  fc.record({ ipBlock }),
);

const protocol = fc.constantFrom('TCP', 'UDP', 'SCTP');
const port: fc.Arbitrary<JsonObject> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record(
      { protocol, port: fc.constantFrom(53, 80, 443, 5432, 6379, 7070, 8080) },
      { requiredKeys: ['port'] },
    ),
  },
  fc.record({ protocol, port: fc.constantFrom('http', 'dns', 'metrics') }, { requiredKeys: ['port'] }),
  fc
    .tuple(protocol, fc.integer({ min: 1, max: 65000 }), fc.integer({ min: 0, max: 535 }))
    .map(([p, from, span]) => ({ protocol: p, port: from, endPort: from + span })),
  fc.record({ protocol }),
  // arbitrary combinations (endPort below port, endPort with a named port, ...)
  fc.record(
    {
      protocol,
      port: fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.constantFrom('http', 'dns')),
      endPort: fc.integer({ min: 1, max: 65535 }),
    },
    { requiredKeys: [] },
  ),
);

const rule = (direction: 'from' | 'to'): fc.Arbitrary<JsonObject> =>
  fc
    .record({
      peers: fc.option(fc.array(peer, { maxLength: 3 }), { nil: null }),
      ports: fc.option(fc.array(port, { maxLength: 3 }), { nil: null }),
    })
    .map(({ peers, ports }) => ({
      ...(peers === null ? {} : { [direction]: peers }),
      ...(ports === null ? {} : { ports }),
    }));

/** A NetworkPolicy as kubectl would send it: mostly valid, sometimes invalid the way people get it wrong. */
export const networkPolicy: fc.Arbitrary<JsonObject> = fc
  .record({
    name,
    namespace: fc.constantFrom(...NAMESPACES),
    annotations: fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      fc.dictionary(fc.constantFrom('note', 'example.com/owner'), fc.string(), { minKeys: 1 }),
      fc.record({ 'netpol-preflight.io/override-reason': fc.string() }),
    ),
    spec: fc.record(
      {
        podSelector: selector,
        policyTypes: fc.subarray(['Ingress', 'Egress']),
        ingress: fc.array(rule('from'), { maxLength: 3 }),
        egress: fc.array(rule('to'), { maxLength: 3 }),
      },
      { requiredKeys: ['podSelector'] },
    ),
  })
  .map(({ name, namespace, annotations, spec }) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name, namespace, ...(annotations ? { annotations } : {}) },
    spec,
  }));

const podTemplate = (labels: JsonObject): JsonObject => ({
  metadata: { labels },
  spec: {
    containers: [{ name: 'app', image: 'example/app:1', ports: [{ name: 'http', containerPort: 8080 }] }],
  },
});

/** The other kinds a manifest directory holds. */
export const otherObject: fc.Arbitrary<JsonObject> = fc.oneof(
  fc
    .record({
      n: fc.constantFrom(...NAMESPACES),
      labels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
    })
    .map(({ n, labels }) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: n, labels } })),
  fc
    .record({
      n: name,
      ns: fc.constantFrom(...NAMESPACES),
      labels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
      ip: fc.oneof(fc.ipV4(), fc.ipV6()),
    })
    .map(({ n, ns, labels, ip }) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: n, namespace: ns, labels },
      spec: podTemplate(labels)['spec'] as Json,
      status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] },
    })),
  fc
    .record({
      n: name,
      ns: fc.constantFrom(...NAMESPACES),
      labels: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
    })
    .map(({ n, ns, labels }) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: n, namespace: ns },
      spec: { selector: { matchLabels: labels }, template: podTemplate(labels) },
    })),
  fc
    .record({
      n: name,
      ns: fc.constantFrom(...NAMESPACES),
      sel: fc.dictionary(labelKey, labelValue, { maxKeys: 2 }),
    })
    .map(({ n, ns, sel }) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: n, namespace: ns },
      spec: {
        selector: sel,
        clusterIP: '10.96.0.10',
        ports: [{ port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    })),
  fc.constantFrom<JsonObject>(
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'shop' }, data: { a: 'b' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop' },
      data: { token: 'c2VjcmV0' },
    },
    { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
  ),
);

// --- mutations ----------------------------------------------------------------------------------

export type Mutation =
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'delete'; readonly at: number }
  | { readonly kind: 'null'; readonly at: number }
  | { readonly kind: 'stringify'; readonly at: number }
  | { readonly kind: 'wrap'; readonly at: number };

export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: hostileValue }),
  },
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('null' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('stringify' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('wrap' as const), at: fc.nat() }),
);

type Path = readonly (string | number)[];

/** Paths in `value` (the root excluded), breadth first, at most 2000 (deep values stay cheap). */
function pathsOf(value: Json): Path[] {
  const out: Path[] = [];
  const queue: { node: Json; path: Path }[] = [{ node: value, path: [] }];
  for (let i = 0; i < queue.length && out.length < 2000; i++) {
    const { node, path } = queue[i] as { node: Json; path: Path };
    const children: [string | number, Json][] = Array.isArray(node)
      ? node.map((v, k) => [k, v])
      : node !== null && typeof node === 'object'
        ? Object.entries(node)
        : [];
    for (const [key, child] of children) {
      out.push([...path, key]);
      if (path.length < 50) queue.push({ node: child, path: [...path, key] });
    }
  }
  return out;
}

function parentOf(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[key as number] : node[key as string];
  }
  return node;
}

/** `value` (deep-copied) with the mutations applied, each at a node chosen by its `at`. */
export function applyMutations(value: Json, mutations: readonly Mutation[]): Json {
  const root = structuredClone(value);
  for (const m of mutations) {
    const paths = pathsOf(root);
    if (paths.length === 0) return m.kind === 'replace' ? m.value : root;
    const path = paths[m.at % paths.length] as Path;
    const parent = parentOf(root, path);
    if (parent === null || typeof parent !== 'object' || parent === undefined) continue;
    const key = path[path.length - 1] as string | number;
    const current = Array.isArray(parent) ? parent[key as number] : parent[key as string];
    let next: Json | undefined;
    switch (m.kind) {
      case 'replace':
        next = m.value;
        break;
      case 'delete':
        next = undefined;
        break;
      case 'null':
        next = null;
        break;
      case 'stringify':
        // numbers as strings, strings as numbers where they look like one, objects as JSON text
        next =
          typeof current === 'number'
            ? String(current)
            : typeof current === 'string' && current.trim() !== '' && Number.isFinite(Number(current))
              ? Number(current)
              : JSON.stringify(current ?? null);
        break;
      case 'wrap':
        next = [current ?? null];
        break;
    }
    if (Array.isArray(parent)) {
      if (next === undefined) parent.splice(key as number, 1);
      else parent[key as number] = next;
    } else if (next === undefined) {
      delete parent[key as string];
    } else {
      parent[key as string] = next;
    }
  }
  return root;
}

/** JSON text in which the object at `at` (an object chosen among all) carries `key` twice. */
export function stringifyWithDuplicateKey(value: Json, at: number, extra: Json, first: boolean): string {
  const objects: JsonObject[] = [];
  const collect = (v: Json): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v !== null && typeof v === 'object') {
      objects.push(v);
      Object.values(v).forEach(collect);
    }
  };
  collect(value);
  const target = objects.length === 0 ? null : objects[at % objects.length];
  const write = (v: Json): string => {
    if (Array.isArray(v)) return `[${v.map(write).join(',')}]`;
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    const entries = Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}:${write(x)}`);
    if (v === target) {
      const key = Object.keys(v)[at % Math.max(1, Object.keys(v).length)] ?? 'uid';
      const dup = `${JSON.stringify(key)}:${JSON.stringify(extra)}`;
      if (first) entries.unshift(dup);
      else entries.push(dup);
    }
    return `{${entries.join(',')}}`;
  };
  return write(value);
}

export type TextMutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly text: string }
  | { readonly kind: 'bom' }
  | { readonly kind: 'trailing'; readonly text: string };

export const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.constantFrom(
        ',',
        '"',
        '{',
        '}',
        '[',
        ']',
        ':',
        '\\',
        '\u0000',
        '\t',
        '\n- ',
        ': ',
        '&a ',
        '*a',
        '<<: *a',
        '!!binary ',
        '%YAML 1.1\n',
        '#',
        '---\n',
        '...\n',
        '? ',
        '|\n',
      ),
      fc.string({ unit: 'grapheme', maxLength: 8 }),
    ),
  }),
  fc.record({ kind: fc.constant('bom' as const) }),
  fc.record({
    kind: fc.constant('trailing' as const),
    text: fc.constantFrom('garbage', '}', ' ', '\n', '{"a":1}', '\u0000'),
  }),
);

export function applyTextMutation(text: string, m: TextMutation): string {
  switch (m.kind) {
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
    case 'insert': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'bom':
      return `\uFEFF${text}`;
    case 'trailing':
      return text + m.text;
  }
}

/** Raw texts that stress parsers by their shape alone. */
export const PATHOLOGICAL_TEXTS: readonly string[] = [
  '',
  ' ',
  'null',
  '0',
  '"x"',
  '[]',
  '{}',
  '{"__proto__":{"polluted":1}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '['.repeat(100_000),
  '{"a":'.repeat(50_000),
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}}`,
  `- ${'- '.repeat(5000)}x`,
  `a: &a [${'x,'.repeat(50)}x]\n${Array.from({ length: 20 }, (_, i) => `b${i}: [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]`).join('\n')}`,
  `${'a'.repeat(200_000)}: 1`,
  'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n',
  'kind: Pod\nmetadata: {name: p, namespace: x}\nstatus: {podIP: "1.2.3.4"}\n---\n\t\tbad',
];

export const pathologicalText: fc.Arbitrary<string> = fc.constantFrom(...PATHOLOGICAL_TEXTS);
