/**
 * Helpers for the deployment tests (test/deploy): render a kustomization with
 * the real `kubectl kustomize`, find objects in the result, and run the
 * certificate script in a scratch copy of manifests/.
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const repoPath = (...parts: string[]): string => join(REPO, ...parts);

/** The webhook's namespace and the name the API server calls it by. */
export const NAMESPACE = 'netpol-preflight';
export const SERVICE_HOST = 'netpol-preflight.netpol-preflight.svc';

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
  readonly [field: string]: unknown;
}

/** Why kubectl cannot be used here, or null when `kubectl kustomize` works. */
export function kubectlUnavailable(): string | null {
  const r = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8', timeout: 20_000 });
  if (r.error)
    return `kubectl is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  if (r.status !== 0) return `kubectl version --client failed: ${r.stderr.trim()}`;
  return null;
}

/** `kubectl kustomize DIR`, parsed. Throws with kubectl's message when rendering fails. */
export function render(dir: string): K8sObject[] {
  const r = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${r.stderr.trim()}`);
  return parseAllDocuments(r.stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${dir}: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}

export function ofKind<T extends K8sObject = K8sObject>(objects: readonly K8sObject[], kind: string): T[] {
  return objects.filter((o) => o.kind === kind) as T[];
}

/** The one object of `kind` (and `name`, when given); throws when there is not exactly one. */
export function only<T extends K8sObject = K8sObject>(
  objects: readonly K8sObject[],
  kind: string,
  name?: string,
): T {
  const found = ofKind<T>(objects, kind).filter((o) => name === undefined || o.metadata.name === name);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  }
  return found[0] as T;
}

/** The Argo CD sync wave of an object (0 when unset, as Argo CD reads it). */
export function syncWave(o: K8sObject): number {
  return Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave'] ?? '0');
}

export interface GeneratedCerts {
  /** A scratch copy of manifests/ (base and overlays) with the overlay files generated in it. */
  readonly manifests: string;
  /** The script's certificate directory: ca.crt, ca.key, tls.crt, tls.key. */
  readonly certs: string;
  readonly overlay: string;
  /** The script's stdout. */
  readonly output: string;
  /** Runs the script again with extra arguments, into the same directories. */
  rerun(...args: string[]): string;
  cleanup(): Promise<void>;
}

/**
 * Copies manifests/ into a temporary directory (without any generated/ files of a
 * local `make certs`) and runs scripts/gen-certs.sh there, as `make certs` would.
 */
export async function generateCerts(): Promise<GeneratedCerts> {
  const root = await mkdtemp(join(tmpdir(), 'netpol-preflight-deploy-'));
  const manifests = join(root, 'manifests');
  const generatedDir = `${sep}overlays${sep}self-signed${sep}generated`;
  await cp(repoPath('manifests'), manifests, {
    recursive: true,
    filter: (src) => !src.includes(generatedDir),
  });
  const certs = join(root, 'certs');
  const overlay = join(manifests, 'overlays', 'self-signed', 'generated');
  const run = (...args: string[]): string => {
    const r = spawnSync(
      'bash',
      [repoPath('scripts', 'gen-certs.sh'), '--certs-dir', certs, '--overlay-dir', overlay, ...args],
      { encoding: 'utf8', cwd: root, timeout: 30_000 },
    );
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`gen-certs.sh failed (${r.status}): ${r.stderr.trim()}`);
    return r.stdout;
  };
  const output = run();
  return {
    manifests,
    certs,
    overlay,
    output,
    rerun: run,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Why openssl cannot be used here, or null. */
export function opensslUnavailable(): string | null {
  const r = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  if (r.error)
    return `openssl is not available (${(r.error as NodeJS.ErrnoException).code ?? r.error.message})`;
  return r.status === 0 ? null : `openssl version failed: ${r.stderr.trim()}`;
}

export const readText = (path: string): Promise<string> => readFile(path, 'utf8');
