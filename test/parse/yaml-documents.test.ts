import t from 'tap';
import { parseYamlDocuments, YamlSyntaxError } from '../../src/parse/index.js';

t.test('splits multi-document YAML, numbering documents from 1 and leaving out empty ones', async (t) => {
  const text = [
    '# header',
    '---',
    'kind: Pod',
    '---',
    '# only a comment',
    '---',
    '~',
    '---',
    'kind: Service',
    '',
  ].join('\n');
  const documents = parseYamlDocuments(text, 'a.yaml');
  t.same(
    documents.map((d) => [d.source, d.index, d.value]),
    [
      ['a.yaml', 1, { kind: 'Pod' }],
      ['a.yaml', 4, { kind: 'Service' }],
    ],
  );
});

t.test('reads JSON, including tab indentation and a byte order mark', async (t) => {
  const documents = parseYamlDocuments(
    '\uFEFF{\n\t"kind": "Pod",\n\t"spec": {\n\t\t"x": 1\n\t}\n}\n',
    'p.json',
  );
  t.same(documents, [{ source: 'p.json', index: 1, value: { kind: 'Pod', spec: { x: 1 } } }]);
});

t.test('an empty text has no documents', async (t) => {
  t.same(parseYamlDocuments('', 'empty.yaml'), []);
});

t.test('a syntax error names the file, the document and the line', async (t) => {
  const text = 'kind: Pod\n---\nkind: Service\nspec: [1,\n  ports: x\n';
  const error = t.throws(() => parseYamlDocuments(text, 'examples/broken.yaml'));
  t.type(error, YamlSyntaxError);
  t.match(error, {
    name: 'YamlSyntaxError',
    code: 'E_YAML_SYNTAX',
    source: 'examples/broken.yaml',
    documentIndex: 2,
  });
  const syntax = error as YamlSyntaxError;
  t.ok(syntax.line !== null && syntax.line >= 4, `line ${syntax.line} is inside document 2`);
  t.match(syntax.message, /^examples\/broken\.yaml document 2 line \d+/);
});

t.test('a document nested too deeply for the parser gets an error that says so', async (t) => {
  const depth = 20_000;
  for (const [name, text] of [
    ['deep.yaml', `kind: ConfigMap\ndata: ${'['.repeat(depth)}${']'.repeat(depth)}\n`],
    ['deep.json', `{"kind":"ConfigMap","data":${'['.repeat(depth)}${']'.repeat(depth)}}`],
  ] as const) {
    const error = t.throws(() => parseYamlDocuments(text, name)) as YamlSyntaxError;
    t.type(error, YamlSyntaxError);
    t.match(error.message, new RegExp(`^${name.replace('.', '\\.')} document 1 .*nested too deeply`));
    t.notMatch(error.message, /call stack/);
  }
});

t.test('a duplicate key is a syntax error, as for the API server', async (t) => {
  t.throws(() => parseYamlDocuments('kind: Pod\nkind: Service\n', 'dup.yaml'), {
    code: 'E_YAML_SYNTAX',
    documentIndex: 1,
  });
});
