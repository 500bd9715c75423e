/**
 * The Dockerfile, read (no container engine is needed): multi-stage, the project's Node
 * major everywhere, production dependencies only at runtime, the runtime's own Node (not
 * the `node` devDependency), a fixed non-root UID that the Deployment also states, no
 * shell needed at runtime, and a .dockerignore that keeps keys out of the build context.
 */
import t from 'tap';
import { parse as parseYaml } from 'yaml';
import { readText, repoPath } from '../support/manifests.js';

interface Stage {
  readonly from: string;
  readonly name: string | null;
  readonly instructions: readonly { readonly op: string; readonly args: string }[];
}

/** Dockerfile instructions per stage, continuation lines joined, ARG defaults substituted in FROM. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string>();
  const stages: { from: string; name: string | null; instructions: { op: string; args: string }[] }[] = [];
  for (const line of lines) {
    const [, op = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const upper = op.toUpperCase();
    if (upper === 'ARG' && stages.length === 0) {
      const [name = '', value = ''] = rest.split('=');
      args.set(name, value);
    } else if (upper === 'FROM') {
      const [image = '', , name] = rest.split(/\s+/);
      const from = image.replace(
        /\$\{(\w+)\}|\$(\w+)/g,
        (_m, a?: string, b?: string) => args.get(a ?? b ?? '') ?? '',
      );
      stages.push({ from, name: name ?? null, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push({ op: upper, args: rest });
    }
  }
  return stages;
}

t.test('Dockerfile', async (t) => {
  const stages = parseDockerfile(await readText(repoPath('Dockerfile')));
  const pkg = JSON.parse(await readText(repoPath('package.json'))) as {
    engines: { node: string };
    bin: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const major = /(\d+)/.exec(pkg.engines.node)?.[1];
  t.equal(major, '24');
  const runs = (s: Stage): string[] => s.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);

  t.ok(stages.length >= 2, 'multi-stage');
  const runtime = stages.at(-1) as Stage;
  const build = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
  t.ok(build, 'a stage runs npm run build');
  t.ok(
    runs(build as Stage).some((r) => /^npm ci\b/.test(r) && !/--omit=dev|--production/.test(r)),
    'with dev dependencies (npm ci)',
  );
  const prodDeps = stages.find((s) => runs(s).some((r) => /^npm ci\b.*--omit=dev/.test(r)));
  t.ok(prodDeps?.name, 'a named stage installs production dependencies only (npm ci --omit=dev)');

  for (const s of stages.slice(0, -1)) {
    t.match(s.from, new RegExp(`^node:${major}[-.@]`), `${s.name} builds on node:${major}`);
  }
  t.match(
    runtime.from,
    new RegExp(`^gcr\\.io/distroless/nodejs${major}-debian\\d+(:nonroot)?(@sha256:[0-9a-f]{64})?$`),
  );
  t.equal(runs(runtime).length, 0, 'no RUN in the runtime stage: it has no shell');

  const copies = runtime.instructions.filter((i) => i.op === 'COPY').map((i) => i.args);
  const nodeModules = copies.filter((c) => /\bnode_modules\b/.test(c));
  t.same(
    nodeModules.map((c) => /--from=(\S+)/.exec(c)?.[1]),
    [prodDeps?.name],
    'node_modules only from the production-dependencies stage (no `node` devDependency binary)',
  );
  t.ok(
    copies.some((c) => /--from=\S+\s+\S*dist\b/.test(c)),
    'dist/ from the build stage',
  );
  t.ok(
    copies.some((c) => /\bpackage\.json\b/.test(c)),
    'package.json ("type": "module")',
  );

  const entrypoint = runtime.instructions.find((i) => i.op === 'ENTRYPOINT');
  const argv = JSON.parse(entrypoint?.args ?? '[]') as string[];
  t.equal(argv[0], '/nodejs/bin/node', "the runtime image's own Node");
  t.equal(argv[1], pkg.bin['netpol-preflight'], 'runs the CLI');
  t.notMatch(JSON.stringify(runtime.instructions), /node_modules\/\.bin\/node/);

  const user = runtime.instructions.filter((i) => i.op === 'USER').at(-1)?.args;
  t.equal(user, '65532:65532', 'a fixed numeric non-root UID and GID');
  const deployment = parseYaml(await readText(repoPath('manifests', 'base', 'deployment.yaml'))) as {
    spec: { template: { spec: { securityContext: { runAsUser: number; runAsGroup: number } } } };
  };
  const podSc = deployment.spec.template.spec.securityContext;
  t.equal(`${podSc.runAsUser}:${podSc.runAsGroup}`, user, 'the Deployment runs as the same UID/GID');
});

t.test('.dockerignore keeps everything out but the build inputs', async (t) => {
  const patterns = (await readText(repoPath('.dockerignore')))
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  t.equal(patterns[0], '*', 'allow-list: everything excluded first');
  const allowed = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1).replace(/\/$/, ''));
  t.same([...allowed].sort(), [
    'package-lock.json',
    'package.json',
    'src',
    'tsconfig.build.json',
    'tsconfig.json',
  ]);
});
