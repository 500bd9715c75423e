/**
 * A webhook in a child process, as it runs for real: `netpol-preflight serve` (src/cli/main.ts
 * through the tests' TypeScript loader, or compiled JavaScript from dist/). Resolves once the
 * child says which port it listens on; keeps its output for assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const LOADER = `${REPO}node_modules/@tapjs/typescript/dist/esm/import.mjs`;
const MAIN = `${REPO}src/cli/main.ts`;

export interface ChildServer {
  readonly child: ChildProcess;
  readonly port: number;
  /** The exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

export interface SpawnOptions {
  readonly env?: NodeJS.ProcessEnv;
}

/** Runs `entry` (a .ts file) with `args`; resolves when stderr says `listening on https://HOST:PORT`. */
export function spawnTsServer(
  entry: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<ChildServer> {
  return spawnNodeServer(entry, ['--import', LOADER, entry, ...args], options);
}

/**
 * Runs compiled JavaScript (`node dist/cli/main.js ...`): what production runs, without the
 * TypeScript compiler in the process, so memory figures are the server's own.
 */
export function spawnJsServer(
  entry: string,
  args: readonly string[],
  options: SpawnOptions = {},
): Promise<ChildServer> {
  return spawnNodeServer(entry, [entry, ...args], options);
}

/**
 * `netpol-preflight serve ARGS --port 0 --host 127.0.0.1` in a child process: the build in dist/
 * when it is newer than every source file (as after `make build`; it starts seconds faster),
 * else the sources through the TypeScript loader. Never a stale build.
 */
export function spawnServe(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<ChildServer> {
  const serveArgs = ['serve', ...args, '--port', '0', '--host', '127.0.0.1'];
  const options = env ? { env } : {};
  return builtIsFresh()
    ? spawnJsServer(BUILT_MAIN, serveArgs, options)
    : spawnTsServer(MAIN, serveArgs, options);
}

const BUILT_MAIN = `${REPO}dist/cli/main.js`;

function builtIsFresh(): boolean {
  let built: number;
  try {
    built = statSync(BUILT_MAIN).mtimeMs;
  } catch {
    return false;
  }
  const newest = (dir: string): number =>
    Math.max(
      0,
      ...readdirSync(dir, { withFileTypes: true }).map((e) =>
        e.isDirectory() ? newest(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs,
      ),
    );
  return newest(`${REPO}src`) < built;
}

export function repoPath(relative: string): string {
  return `${REPO}${relative}`;
}

async function spawnNodeServer(
  entry: string,
  nodeArgs: readonly string[],
  options: SpawnOptions,
): Promise<ChildServer> {
  const child = spawn(process.execPath, nodeArgs, {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
    if (stdout.length > 4_000_000) stdout = stdout.slice(-2_000_000);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
      if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
      const m = /listening on https:\/\/[^:]+:(\d+)\//.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    void exited.then((code) => reject(new Error(`${entry} exited early (${code}): ${stderr.slice(-2000)}`)));
  });
  return { child, port, exited, stdout: () => stdout, stderr: () => stderr };
}
