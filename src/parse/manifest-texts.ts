/**
 * Manifest texts -> ClusterSnapshot, without touching the disk: the file loader, the tests and
 * the webhook all come through here. All problems of all texts are reported at once; nothing is
 * returned half-loaded.
 */

import {
  InvalidManifestsError,
  YamlSyntaxError,
  type InvalidObjectError,
  type ManifestProblem,
} from './errors.js';
import { parseDocuments, type ObjectWarning, type ParsedObject, type SkippedObject } from './objects.js';
import { buildSnapshot, findDuplicateObjects } from './snapshot.js';
import { parseYamlDocuments, type ParsedDocument } from './yaml-documents.js';
import type { ClusterSnapshot } from '../model/records.js';

export interface ManifestText {
  /** A label for errors, usually the file path. */
  readonly source: string;
  readonly text: string;
}

export interface ManifestsParse {
  readonly snapshot: ClusterSnapshot;
  /** Objects that are not of a supported kind or API group, in input order. */
  readonly skipped: readonly SkippedObject[];
  /** Accepted values the API server would warn about, in input order. */
  readonly warnings: readonly ObjectWarning[];
}

/** Parses every text; throws InvalidManifestsError listing every syntax error, invalid object and duplicate. */
export function parseManifestTexts(texts: readonly ManifestText[]): ManifestsParse {
  const problems: (YamlSyntaxError | InvalidObjectError)[] = [];
  const documents: ParsedDocument[] = [];
  for (const { source, text } of texts) {
    try {
      documents.push(...parseYamlDocuments(text, source));
    } catch (error) {
      if (!(error instanceof YamlSyntaxError)) throw error;
      problems.push(error);
    }
  }
  const parsed = parseDocuments(documents);
  problems.push(...parsed.errors);
  const objects: readonly ParsedObject[] = parsed.objects;
  const all: ManifestProblem[] = [...sortByPosition(problems, texts), ...findDuplicateObjects(objects)];
  if (all.length > 0) throw new InvalidManifestsError(all);
  return { snapshot: buildSnapshot(objects), skipped: parsed.skipped, warnings: parsed.warnings };
}

/** Orders problems as their texts were given, then by document and list item. */
function sortByPosition<T extends YamlSyntaxError | InvalidObjectError>(
  problems: readonly T[],
  texts: readonly ManifestText[],
): T[] {
  const position = new Map<string, number>();
  texts.forEach(({ source }, index) => {
    if (!position.has(source)) position.set(source, index);
  });
  const itemOf = (p: T): number => (p instanceof YamlSyntaxError ? -1 : (p.itemIndex ?? -1));
  return [...problems].sort(
    (a, b) =>
      (position.get(a.source) ?? 0) - (position.get(b.source) ?? 0) ||
      a.documentIndex - b.documentIndex ||
      itemOf(a) - itemOf(b),
  );
}
