/**
 * Renders the results of `check` for people (text, colour only on a TTY) and
 * for machines (JSON, a fixed shape).
 */
import type { Decision, Operation } from '../model/findings.js';

export interface CheckResult {
  readonly operation: Operation;
  readonly namespace: string;
  readonly name: string;
  readonly decision: Decision;
}

/** The JSON shape of `check -o json` (documented in the README). */
export function checkResultsToJson(results: readonly CheckResult[]): unknown {
  return {
    results: results.map((r) => ({
      operation: r.operation,
      namespace: r.namespace,
      name: r.name,
      allowed: r.decision.allowed,
      findings: r.decision.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        message: f.message,
        ...(f.detail !== undefined ? { detail: f.detail } : {}),
        ...(f.fix !== undefined ? { fix: f.fix } : {}),
      })),
      warnings: [...r.decision.warnings],
      denyMessage: r.decision.denyMessage,
    })),
  };
}

const COLOURS = {
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  dim: '\u001b[2m',
  reset: '\u001b[0m',
};

function indent(text: string, prefix: string): string {
  return text
    .trimEnd()
    .split('\n')
    .map((l) => `${prefix}${l}`)
    .join('\n');
}

export function renderCheckText(results: readonly CheckResult[], colour: boolean): string {
  const paint = (c: keyof typeof COLOURS, s: string): string =>
    colour ? `${COLOURS[c]}${s}${COLOURS.reset}` : s;
  const out: string[] = [];
  for (const r of results) {
    const d = r.decision;
    const verdict = d.allowed ? paint('green', 'allowed') : paint('red', 'DENIED');
    const notes = [
      d.enforcement !== 'enforce' ? `namespace enforcement: ${d.enforcement}` : null,
      d.overrideReason !== null ? `override: ${d.overrideReason}` : null,
    ].filter((x): x is string => x !== null);
    out.push(
      `${r.operation} NetworkPolicy ${r.namespace}/${r.name}: ${verdict}${notes.length ? ` (${notes.join('; ')})` : ''}`,
    );
    if (d.findings.length === 0) out.push(paint('dim', '  no findings'));
    for (const f of d.findings) {
      const sev =
        f.severity === 'deny'
          ? paint('red', 'deny')
          : f.severity === 'warn'
            ? paint('yellow', 'warn')
            : 'info';
      out.push(`  ${sev} [${f.rule}] ${f.message}`);
      if (f.detail) out.push(paint('dim', indent(f.detail, '      ')));
      if (f.fix) out.push(`      fix:\n${indent(f.fix, '        ')}`);
    }
    if (d.denyMessage) out.push(`  ${paint('red', 'denial')}: ${d.denyMessage}`);
    out.push('');
  }
  const denied = results.filter((r) => !r.decision.allowed).length;
  out.push(`${results.length} change(s): ${results.length - denied} allowed, ${denied} denied`);
  return `${out.join('\n')}\n`;
}
