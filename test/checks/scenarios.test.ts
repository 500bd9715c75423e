/**
 * Every admission scenario under test/fixtures/scenarios: the verdict, the
 * rules that must fire and the ones that must stay silent, and the message
 * contract (one line, at most 120 characters).
 */
import t from 'tap';
import { decideChange } from '../../src/checks/decide.js';
import { listScenarios, loadScenario } from '../support/scenarios.js';

for (const file of listScenarios()) {
  t.test(file, async (t) => {
    const s = loadScenario(file);
    t.comment(s.description);
    const d = decideChange(s.snapshot, s.change, s.config, s.requester);
    const fired = new Set(d.findings.map((f) => f.rule));
    const byRule = (rule: string) => d.findings.filter((f) => f.rule === rule);
    if (s.expect.allowed !== undefined) t.equal(d.allowed, s.expect.allowed, 'verdict');
    for (const r of s.expect.fires ?? []) t.ok(fired.has(r), `${r} fires`);
    for (const r of s.expect.silent ?? []) t.notOk(fired.has(r), `${r} stays silent`);
    for (const [rule, text] of Object.entries(s.expect.messageIncludes ?? {})) {
      t.ok(
        byRule(rule).some((f) => f.message.includes(text as string)),
        `${rule} message includes "${text}"`,
      );
    }
    for (const [rule, text] of Object.entries(s.expect.messageExcludes ?? {})) {
      t.notOk(
        byRule(rule).some((f) => f.message.includes(text as string)),
        `${rule} message excludes "${text}"`,
      );
    }
    for (const [rule, text] of Object.entries(s.expect.fixIncludes ?? {})) {
      t.ok(
        byRule(rule).some((f) => f.fix?.includes(text as string)),
        `${rule} fix includes "${text}"`,
      );
    }
    for (const [rule, severity] of Object.entries(s.expect.severities ?? {})) {
      t.ok(
        byRule(rule).length > 0 && byRule(rule).every((f) => f.severity === severity),
        `${rule} is ${severity}`,
      );
    }
    for (const [rule, subjects] of Object.entries(s.expect.subjects ?? {})) {
      t.same(byRule(rule)[0]?.subjects, subjects, `${rule} subjects`);
    }
    if (s.expect.warningIncludes) {
      t.ok(
        d.warnings.some((w) => w.includes(s.expect.warningIncludes as string)),
        'warning present',
      );
    }
    for (const f of d.findings) {
      t.ok(
        f.message.length <= 120 && !f.message.includes('\n'),
        `${f.rule} message fits one line: ${f.message}`,
      );
    }
    t.equal(d.denyMessage !== null, !d.allowed, 'a denial carries a message');
  });
}
