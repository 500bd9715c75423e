import t from 'tap';
import { join } from 'node:path';
import { listManifestFiles, loadManifests, ManifestPathError } from '../../src/cluster/manifest-files.js';
import {
  DuplicateObjectError,
  InvalidManifestsError,
  InvalidObjectError,
  ManifestError,
  parseManifestTexts,
  YamlSyntaxError,
} from '../../src/parse/index.js';
import { fixturePath, readFixture } from '../support/parse-fixtures.js';

async function catchError(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

t.test('lists .yaml .yml .json files recursively in sorted order, ignoring other files', async (t) => {
  const dir = fixturePath('cluster');
  t.same(await listManifestFiles([dir]), [
    join(dir, 'namespaces.yaml'),
    join(dir, 'nested', 'policies.yaml'),
    join(dir, 'nested', 'services.yml'),
    join(dir, 'pods.json'),
    join(dir, 'workloads.yaml'),
  ]);
});

t.test('a file given twice (directly and through its directory) is read once', async (t) => {
  const dir = fixturePath('cluster');
  const files = await listManifestFiles([join(dir, 'pods.json'), dir]);
  t.equal(files.length, 5);
  t.equal(files[0], join(dir, 'pods.json'));
});

t.test('loads a directory into a snapshot', async (t) => {
  const { snapshot, skipped, warnings } = await loadManifests([fixturePath('cluster')]);
  t.same(skipped, []);
  t.same(warnings, []);
  t.same(
    snapshot.namespaces.map((n) => [n.name, n.phase, n.implicit]),
    [
      ['default', 'Active', true],
      ['old-team', 'Terminating', false],
      ['team-a', 'Active', false],
      ['team-b', 'Active', true],
    ],
  );
  t.same(
    snapshot.pods.map((p) => [p.namespace, p.name, p.owner, p.ips, p.hostNetwork]),
    [
      ['default', 'debug', null, ['10.1.0.9'], true],
      [
        'team-a',
        'web-7d4b9c-abcde',
        { kind: 'ReplicaSet', name: 'web-7d4b9c' },
        ['10.1.0.5', 'fd00::5'],
        false,
      ],
    ],
  );
  t.same(
    snapshot.workloads.map((w) => [
      w.kind,
      w.name,
      w.labels,
      w.ports.map((p) => `${p.protocol}/${p.port}`),
      w.replicas,
    ]),
    [
      ['Deployment', 'web', { app: 'web' }, ['TCP/8080', 'TCP/9090'], 3],
      ['CronJob', 'report', { app: 'report' }, ['UDP/5353'], null],
    ],
  );
  t.same(
    snapshot.policies.map((p) => `${p.namespace}/${p.name}`),
    ['default/allow-dns', 'team-a/default-deny'],
  );
  t.same(
    snapshot.services.map((s) => [s.name, s.clusterIPs, s.selector]),
    [
      ['headless', [], null],
      ['web', ['10.96.0.10', 'fd00:96::a'], { app: 'web' }],
    ],
  );
});

t.test('a missing path is a ManifestPathError', async (t) => {
  const missing = fixturePath('no-such-dir');
  const error = await catchError(() => loadManifests([fixturePath('cluster'), missing]));
  t.type(error, ManifestPathError);
  t.type(error, ManifestError);
  t.match(error, { name: 'ManifestPathError', code: 'E_MANIFEST_PATH', path: missing, problem: 'not-found' });
  t.match((error as Error).message, /no such file or directory/);
});

t.test('an invalid manifest set fails as a whole, listing every problem', async (t) => {
  const dir = t.testdir({
    'a.yaml': readFixture('bad.yaml'),
    'b.yaml': 'kind: Pod\nmetadata: {name: [unclosed\n',
    'c.yaml': readFixture('cluster', 'namespaces.yaml'),
  });
  const error = await catchError(() => loadManifests([dir]));
  t.type(error, InvalidManifestsError);
  const problems = (error as InvalidManifestsError).errors;
  t.same(
    problems.map((p) => [p.constructor.name, 'documentIndex' in p ? p.documentIndex : null]),
    [
      ['InvalidObjectError', 2],
      ['InvalidObjectError', 3],
      ['InvalidObjectError', 4],
      ['YamlSyntaxError', 1],
      ['DuplicateObjectError', null],
    ],
  );
  t.type(problems[3], YamlSyntaxError);
  t.match(problems[3], { source: join(dir, 'b.yaml') });
  t.type(problems[4], DuplicateObjectError);
  t.match(problems[4], { kind: 'Namespace', objectName: 'team-a' });
  t.match((error as Error).message, /^5 problems in manifests:\n {2}- /);
});

t.test(
  'the aggregate error message names file, document, object, field, expectation and value',
  async (t) => {
    let caught: unknown;
    try {
      parseManifestTexts([{ source: 'examples/bad.yaml', text: readFixture('bad.yaml') }]);
    } catch (error) {
      caught = error;
    }
    t.type(caught, InvalidManifestsError);
    const problems = (caught as InvalidManifestsError).errors;
    t.ok(problems.every((p) => p instanceof InvalidObjectError));
    t.same(
      problems.map((p) => p.message),
      [
        'examples/bad.yaml document 2: NetworkPolicy team-a/allow-dns: spec.egress[0].ports[0].port: expected an integer 1-65535 or a port name (IANA_SVC_NAME), got "99999" (a quoted number is a port name, not a port number: write it without quotes)',
        'examples/bad.yaml document 3: Pod team-a/<unnamed>: metadata.name: expected a name, got nothing; metadata.labels.version: expected a string, got 2',
        'examples/bad.yaml document 4: NetworkPolicy team-a/office: spec.ingress[0].from[0].ipBlock.except[0]: expected a CIDR strictly inside cidr 10.0.0.0/8, got "10.0.0.0/8"',
      ],
    );
  },
);
