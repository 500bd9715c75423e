/**
 * Splits a YAML (or JSON) text into its documents. Pure: the caller supplies the text and a
 * source label used in errors.
 */

import { parseAllDocuments } from 'yaml';
import { YamlSyntaxError } from './errors.js';

export interface ParsedDocument {
  /** The file (or other label) the text came from. */
  readonly source: string;
  /** 1-based position of the document in the text, empty documents included. */
  readonly index: number;
  /** The document as plain JSON-like data. */
  readonly value: unknown;
}

/** Aliases allowed per document: enough for real manifests, too few for an alias bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses every document of `text`. Empty documents (nothing, only comments, or `~`) are left out.
 * Throws a YamlSyntaxError naming `source`, the document and the line of the first error.
 */
export function parseYamlDocuments(text: string, source: string): ParsedDocument[] {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const parsed = parseAllDocuments(body, { merge: true, uniqueKeys: true, prettyErrors: true });
  // An input without any document comes back as an EmptyStream (an empty array-like).
  const documents = Array.isArray(parsed) ? parsed : [];
  const result: ParsedDocument[] = [];
  documents.forEach((document, position) => {
    const index = position + 1;
    const error = document.errors[0];
    if (error !== undefined) {
      const start = error.linePos?.[0];
      throw new YamlSyntaxError(
        {
          source,
          documentIndex: index,
          line: start?.line ?? null,
          column: start?.col ?? null,
          detail: firstLine(error.message),
        },
        { cause: error },
      );
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      // toJS fails on alias bombs and similar structural problems.
      throw new YamlSyntaxError(
        { source, documentIndex: index, line: null, column: null, detail: describeCause(cause) },
        { cause },
      );
    }
    if (value !== null && value !== undefined) result.push({ source, index, value });
  });
  return result;
}

function firstLine(message: string): string {
  const line = message.split('\n', 1)[0] ?? message;
  // The yaml package parses recursively and reports the engine's stack overflow as it is.
  if (/maximum call stack size exceeded/i.test(line)) return NESTED_TOO_DEEPLY;
  // The yaml package appends " at line L, column C" which we already report.
  return line.replace(/ at line \d+, column \d+:?$/, '').trim();
}

const NESTED_TOO_DEEPLY =
  'values nested too deeply to parse (thousands of levels); Kubernetes manifests are a few dozen levels deep';

function describeCause(cause: unknown): string {
  return cause instanceof Error ? firstLine(cause.message) : String(cause);
}
