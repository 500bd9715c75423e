/**
 * Manifests on disk -> ClusterSnapshot. The only module that reads files: it lists and reads them
 * (directories recursively, `.yaml` `.yml` `.json`, in sorted order) and hands the texts to
 * parseManifestTexts, which does everything else without I/O.
 */

import type { Stats } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ManifestError } from '../parse/errors.js';
import { parseManifestTexts, type ManifestText, type ManifestsParse } from '../parse/manifest-texts.js';

const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);

export type ManifestPathProblem = 'not-found' | 'unreadable';

/** A path given on the command line that does not exist or cannot be read. */
export class ManifestPathError extends ManifestError {
  override readonly name = 'ManifestPathError';
  readonly code = 'E_MANIFEST_PATH';
  readonly path: string;
  readonly problem: ManifestPathProblem;

  constructor(path: string, problem: ManifestPathProblem, cause: unknown) {
    const detail =
      problem === 'not-found'
        ? 'no such file or directory'
        : `cannot be read (${cause instanceof Error ? cause.message : String(cause)})`;
    super(`manifest path ${path}: ${detail}`, { cause });
    this.path = path;
    this.problem = problem;
  }
}

/**
 * Loads every manifest under `paths` (files, or directories read recursively). A file named
 * explicitly is read whatever its extension. Throws ManifestPathError for a missing or unreadable
 * path and InvalidManifestsError (from the parser) listing every invalid object.
 */
export async function loadManifests(paths: readonly string[]): Promise<ManifestsParse> {
  const files = await listManifestFiles(paths);
  const texts: ManifestText[] = await Promise.all(
    files.map(async (file) => ({ source: file, text: await readText(file) })),
  );
  return parseManifestTexts(texts);
}

/** The manifest files under `paths`, in argument order, each directory's entries sorted; no repeats. */
export async function listManifestFiles(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    const info = await statPath(path);
    if (info.isDirectory()) await collectDirectory(path, files, seen, new Set());
    else await addFile(path, files, seen);
  }
  return files;
}

async function collectDirectory(
  dir: string,
  files: string[],
  seen: Set<string>,
  ancestors: Set<string>,
): Promise<void> {
  const real = await resolveReal(dir);
  if (ancestors.has(real)) return; // a symlink loop
  const inside = new Set(ancestors).add(real);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (cause) {
    throw new ManifestPathError(dir, 'unreadable', cause);
  }
  for (const name of names.sort(compareCodePoints)) {
    const path = join(dir, name);
    const info = await statPath(path);
    if (info.isDirectory()) await collectDirectory(path, files, seen, inside);
    else if (info.isFile() && MANIFEST_EXTENSIONS.has(extname(name).toLowerCase()))
      await addFile(path, files, seen);
  }
}

async function addFile(path: string, files: string[], seen: Set<string>): Promise<void> {
  const real = await resolveReal(path);
  if (seen.has(real)) return;
  seen.add(real);
  files.push(path);
}

async function statPath(path: string): Promise<Stats> {
  try {
    return await stat(path);
  } catch (cause) {
    throw new ManifestPathError(path, isNotFound(cause) ? 'not-found' : 'unreadable', cause);
  }
}

async function resolveReal(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch (cause) {
    throw new ManifestPathError(path, isNotFound(cause) ? 'not-found' : 'unreadable', cause);
  }
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (cause) {
    throw new ManifestPathError(path, isNotFound(cause) ? 'not-found' : 'unreadable', cause);
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && (error.code === 'ENOENT' || error.code === 'ENOTDIR');
}

function compareCodePoints(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
