/** One row of the soak summary, and the table printed at the end of `make soak`. */

export interface SoakRow {
  readonly phase: string;
  /** Requests (reviews, handshakes) sent and counted; null where none are counted (fuzz runs in tap). */
  readonly requests: number | null;
  /** Failures: connection errors, timeouts, lost or malformed answers, failed assertions. */
  readonly errors: number;
  /** Answers other than 2xx to valid reviews (null where it does not apply). */
  readonly non2xx: number | null;
  readonly p99Ms: number | null;
  readonly rssStartMb: number | null;
  readonly rssEndMb: number | null;
  readonly faults: number | null;
  /** Whether the cache converged to the API server's state after every fault (null: no cache). */
  readonly converged: boolean | null;
  readonly ok: boolean;
  readonly notes: string;
}

const COLUMNS: readonly [string, (row: SoakRow) => string][] = [
  ['phase', (r) => r.phase],
  ['requests', (r) => (r.requests === null ? '-' : String(r.requests))],
  ['errors', (r) => String(r.errors)],
  ['non-2xx', (r) => (r.non2xx === null ? '-' : String(r.non2xx))],
  ['p99 ms', (r) => (r.p99Ms === null ? '-' : r.p99Ms.toFixed(1))],
  ['RSS start MB', (r) => (r.rssStartMb === null ? '-' : r.rssStartMb.toFixed(0))],
  ['RSS end MB', (r) => (r.rssEndMb === null ? '-' : r.rssEndMb.toFixed(0))],
  ['faults', (r) => (r.faults === null ? '-' : String(r.faults))],
  ['converged', (r) => (r.converged === null ? '-' : r.converged ? 'yes' : 'no')],
  ['ok', (r) => (r.ok ? 'yes' : 'NO')],
];

/** A Markdown table of the rows, then each row's notes. */
export function renderTable(rows: readonly SoakRow[]): string {
  const cells = rows.map((row) => COLUMNS.map(([, cell]) => cell(row)));
  const widths = COLUMNS.map(([title], i) =>
    Math.max(title.length, ...cells.map((c) => (c[i] ?? '').length)),
  );
  const line = (values: readonly string[]): string =>
    `| ${values.map((v, i) => v.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [
    line(COLUMNS.map(([title]) => title)),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.map(line),
    '',
    ...rows.map((r) => `- ${r.phase}: ${r.notes}`),
  ].join('\n');
}
