/**
 * The rule catalog stays honest: unique ids, every rule documented in the
 * README's catalog, and every rule with a scenario where it fires and one
 * where it stays silent.
 */
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { CHECKS, RULE_IDS } from '../../src/checks/registry.js';
import { SCENARIO_DIR, listScenarios } from '../support/scenarios.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('rule ids are unique and stable in form', async (t) => {
  t.equal(new Set(RULE_IDS).size, RULE_IDS.length);
  for (const id of RULE_IDS) t.match(id, /^[a-z]+(-[a-z]+)*$/);
});

t.test('every rule is in the README catalog with its default severity', async (t) => {
  for (const c of CHECKS) {
    const row = README.split('\n').find((l) => new RegExp(`^\\|\\s*\`${c.id}\`\\s*\\|`).test(l));
    t.ok(row, `${c.id} has a catalog row`);
    t.match(
      row ?? '',
      new RegExp(`\\|\\s*${c.defaultSeverity}\\s*\\|`),
      `${c.id} row names its default ${c.defaultSeverity}`,
    );
  }
});

t.test('every rule has a scenario that fires it and one where it stays silent', async (t) => {
  const fires = new Set<string>();
  const silent = new Set<string>();
  for (const f of listScenarios()) {
    const s = parseYaml(readFileSync(`${SCENARIO_DIR}${f}`, 'utf8')) as {
      expect: { fires?: string[]; silent?: string[] };
    };
    for (const r of s.expect.fires ?? []) fires.add(r);
    for (const r of s.expect.silent ?? []) silent.add(r);
  }
  for (const id of RULE_IDS) {
    t.ok(fires.has(id), `${id} fires somewhere`);
    t.ok(silent.has(id), `${id} stays silent somewhere`);
  }
});
