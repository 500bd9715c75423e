/** Findings with a severity: the same fields in the same order, and a fix serialised only when read. */
import t from 'tap';
import { withFix, withSeverity } from '../../src/checks/lazy-fix.js';

const base = { rule: 'dns-egress-blocked', message: 'blocks DNS', subjects: ['ns/app[Deployment]'] } as const;

t.test('a finding without a fix: its fields, then the severity', async (t) => {
  const f = withSeverity({ ...base, detail: 'why' }, 'warn');
  t.same(Object.keys(f), ['rule', 'message', 'subjects', 'detail', 'severity']);
  t.equal(f.severity, 'warn');
  t.equal(f.detail, 'why');
  t.equal(withSeverity(withFix(base, null), 'deny').fix, undefined, 'withFix of no manifest: no fix');
});

t.test('a fix already written is kept as it is', async (t) => {
  const f = withSeverity({ ...base, fix: 'kind: NetworkPolicy\n' }, 'info');
  t.same(Object.keys(f), ['rule', 'message', 'subjects', 'fix', 'severity']);
  t.equal(f.fix, 'kind: NetworkPolicy\n');
});

t.test('a lazy fix is serialised when first read, not when the severity is set', async (t) => {
  let reads = 0;
  const manifest = {
    get kind() {
      reads++;
      return 'NetworkPolicy';
    },
  };
  const f = withSeverity(withFix(base, manifest), 'deny');
  t.equal(reads, 0, 'not serialised by withSeverity');
  t.same(Object.keys(f), ['rule', 'message', 'subjects', 'fix', 'severity']);
  t.equal(f.fix, 'kind: NetworkPolicy\n');
  t.equal(f.fix, 'kind: NetworkPolicy\n');
  t.equal(reads, 1, 'serialised once');
  t.equal(JSON.parse(JSON.stringify(f)).fix, 'kind: NetworkPolicy\n', 'written in JSON');
});

t.test('every lazy fix is read by one shared getter, so findings share a hidden class', async (t) => {
  // V8 keeps an own accessor in the object's hidden class: a getter made per finding gave every
  // finding a hidden class of its own, and after a few of them the findings were in dictionary mode
  // (node --allow-natives-syntax, %HasFastProperties over the M stream's decisions).
  const getterOf = (f: object): unknown => Object.getOwnPropertyDescriptor(f, 'fix')?.get;
  const a = withFix(base, { kind: 'NetworkPolicy', metadata: { name: 'a' } });
  const b = withFix({ ...base, detail: 'why' }, { kind: 'NetworkPolicy', metadata: { name: 'b' } });
  t.type(getterOf(a), 'function');
  t.equal(getterOf(a), getterOf(b), 'withFix: the same getter');
  const sa = withSeverity(a, 'deny');
  const sb = withSeverity(b, 'warn');
  t.equal(getterOf(sa), getterOf(a), 'withSeverity keeps the shared getter');
  t.equal(getterOf(sb), getterOf(a));
  t.match(sa.fix, /name: a/);
  t.match(sb.fix, /name: b/);
  t.same(Object.keys(sb), ['rule', 'message', 'subjects', 'detail', 'fix', 'severity']);
});
