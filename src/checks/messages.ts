/**
 * One-line messages that fit an admission warning (at most 120 characters),
 * naming the policy, the affected workloads (counted, first names first) and
 * the problem.
 */

export const MAX_MESSAGE_LENGTH = 120;

/** Shortens `text` to `max` characters, ending with an ellipsis when cut. */
export function clip(text: string, max = MAX_MESSAGE_LENGTH): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * Builds `before + "<n> workloads (a, b, +3)" + after` with as many names as
 * fit in the message budget. Falls back to the count alone, then to clipping.
 */
export function messageWithSubjects(
  before: string,
  subjects: readonly string[],
  after: string,
  noun = 'workload',
): string {
  const count = plural(subjects.length, noun);
  for (let shown = Math.min(subjects.length, 3); shown >= 1; shown--) {
    const rest = subjects.length - shown;
    const names = subjects.slice(0, shown).join(', ') + (rest > 0 ? `, +${rest}` : '');
    const text = `${before}${subjects.length === 1 ? (subjects[0] as string) : `${count} (${names})`}${after}`;
    if (text.length <= MAX_MESSAGE_LENGTH) return text;
  }
  return clip(`${before}${count}${after}`);
}

/** `- a\n- b` for details. */
export function bulletList(items: readonly string[]): string {
  return items.map((i) => `  - ${i}`).join('\n');
}
