/**
 * Renders connectivity and connectivity diffs in the formats of np-guard's
 * netpol-analyzer (`list` and `diff`, txt and JSON), so users can compare
 * tools line by line.
 */
import type { Connectivity, PeerRef } from '../semantics/connectivity.js';
import { formatConnections } from '../semantics/connection-set.js';
import type { ConnectivityDiff, DiffEntry } from '../semantics/diff.js';
import { formatIpRange } from '../semantics/ip-set.js';

export type ReportFormat = 'txt' | 'json';

export function formatPeer(p: PeerRef): string {
  return p.kind === 'endpoint' ? p.id : `${formatIpRange(p.range)}[External]`;
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface ConnectionRow {
  src: string;
  dst: string;
  conn: string;
}

function connectionRows(c: Connectivity): ConnectionRow[] {
  return c.entries
    .map((e) => ({ src: formatPeer(e.src), dst: formatPeer(e.dst), conn: formatConnections(e.conn) }))
    .sort((x, y) => byText(x.src, y.src) || byText(x.dst, y.dst));
}

export function renderConnectivity(c: Connectivity, format: ReportFormat): string {
  const rows = connectionRows(c);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  return rows.map((r) => `${r.src} => ${r.dst} : ${r.conn}\n`).join('');
}

function workloadsInfo(e: DiffEntry): string {
  if (e.workloads.length === 0 || e.type === 'changed') return '';
  return `workload ${e.workloads.join(' and ')} ${e.type}`;
}

interface DiffRow {
  diff_type: string;
  src: string;
  dst: string;
  ref1: string;
  ref2: string;
  workloads_diff_info: string;
}

const DIFF_ORDER: Record<string, number> = { changed: 0, removed: 1, added: 2 };

function diffRows(d: ConnectivityDiff): DiffRow[] {
  return d.entries
    .map((e) => ({
      diff_type: e.type,
      src: formatPeer(e.src),
      dst: formatPeer(e.dst),
      ref1: formatConnections(e.before),
      ref2: formatConnections(e.after),
      workloads_diff_info: workloadsInfo(e),
    }))
    .sort(
      (x, y) =>
        (DIFF_ORDER[x.diff_type] ?? 0) - (DIFF_ORDER[y.diff_type] ?? 0) ||
        byText(x.src, y.src) ||
        byText(x.dst, y.dst),
    );
}

export function renderDiff(d: ConnectivityDiff, format: ReportFormat): string {
  const rows = diffRows(d);
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (rows.length === 0) return '';
  const lines = rows.map(
    (r) =>
      `diff-type: ${r.diff_type}, source: ${r.src}, destination: ${r.dst}, ref1: ${r.ref1}, ref2: ${r.ref2}` +
      (r.workloads_diff_info ? `, workloads-diff-info: ${r.workloads_diff_info}` : ''),
  );
  return `Connectivity diff:\n${lines.join('\n')}\n`;
}
