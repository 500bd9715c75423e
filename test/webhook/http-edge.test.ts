/**
 * The HTTP edge of POST /validate: content type, size limit, undecodable and
 * invalid bodies. None of these is an AdmissionReview answer: there is no
 * request uid to echo.
 */
import t from 'tap';
import { VALIDATE_BODY_LIMIT } from '../../src/webhook/http-limits.js';
import { admissionReview, buildTestApp, FRONTEND_TO_CART, policyReview } from '../support/webhook.js';

interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  fields?: { field: string; message: string }[];
}

async function postRaw(
  body: string,
  contentType: string | null,
): Promise<{ statusCode: number; json: ErrorBody; contentType: string | undefined }> {
  const app = buildTestApp();
  try {
    const res = await app.inject({
      method: 'POST',
      url: '/validate',
      payload: body,
      headers: contentType === null ? {} : { 'content-type': contentType },
    });
    return {
      statusCode: res.statusCode,
      json: res.json(),
      contentType: res.headers['content-type'] as string | undefined,
    };
  } finally {
    await app.close();
  }
}

const valid = JSON.stringify(policyReview('CREATE', 'shop', 'p', { after: FRONTEND_TO_CART }));

t.test('application/json with a charset is accepted', async (t) => {
  const res = await postRaw(valid, 'application/json; charset=utf-8');
  t.equal(res.statusCode, 200);
});

t.test('another content type is 415', async (t) => {
  for (const type of ['text/plain', 'application/yaml', 'application/x-www-form-urlencoded']) {
    const res = await postRaw(valid, type);
    t.equal(res.statusCode, 415, type);
    t.equal(res.json.statusCode, 415);
    t.equal(res.json.message, `Content-Type "${type}" is not supported: send application/json`);
    t.match(res.contentType, /^application\/json/);
  }
});

t.test('a body over the limit (3 MiB) is 413', async (t) => {
  const review = admissionReview({
    operation: 'CREATE',
    namespace: 'shop',
    name: 'p',
    object: { padding: 'x'.repeat(VALIDATE_BODY_LIMIT) },
  });
  const res = await postRaw(JSON.stringify(review), 'application/json');
  t.equal(res.statusCode, 413);
  t.equal(res.json.code, 'FST_ERR_CTP_BODY_TOO_LARGE');
  t.match(res.json.message, /over the limit of 3145728 bytes/);
});

t.test('undecodable JSON is 400', async (t) => {
  const res = await postRaw('{"apiVersion": "admission.k8s.io/v1", ', 'application/json');
  t.equal(res.statusCode, 400);
  t.equal(res.json.error, 'Bad Request');
});

t.test('an empty body is 400', async (t) => {
  const res = await postRaw('', 'application/json');
  t.equal(res.statusCode, 400);
});

t.test('an invalid envelope is 400 naming the field', async (t) => {
  const base = JSON.parse(valid) as { request: Record<string, unknown> } & Record<string, unknown>;
  const cases: [string, unknown, string, RegExp][] = [
    ['not an object', [1, 2], '(body)', /must be object/],
    [
      'wrong apiVersion',
      { ...base, apiVersion: 'admission.k8s.io/v1beta1' },
      'apiVersion',
      /must be "admission.k8s.io\/v1"/,
    ],
    ['wrong kind', { ...base, kind: 'TokenReview' }, 'kind', /must be "AdmissionReview"/],
    ['no request', { apiVersion: base['apiVersion'], kind: base['kind'] }, 'request', /is required/],
    ['no uid', { ...base, request: { ...base.request, uid: undefined } }, 'request.uid', /is required/],
    [
      'empty uid',
      { ...base, request: { ...base.request, uid: '' } },
      'request.uid',
      /must NOT have fewer than 1 characters/,
    ],
    [
      'bad operation',
      { ...base, request: { ...base.request, operation: 'PATCH' } },
      'request.operation',
      /must be one of CREATE, UPDATE, DELETE, CONNECT/,
    ],
    [
      'dryRun as a string (no coercion)',
      { ...base, request: { ...base.request, dryRun: 'true' } },
      'request.dryRun',
      /must be boolean/,
    ],
    [
      'groups not strings',
      { ...base, request: { ...base.request, userInfo: { username: 'a', groups: [1] } } },
      'request.userInfo.groups.0',
      /must be string/,
    ],
    [
      'CREATE without object',
      { ...base, request: { ...base.request, object: null } },
      'request.object',
      /must be object/,
    ],
    ['no kind', { ...base, request: { ...base.request, kind: undefined } }, 'request.kind', /is required/],
    [
      'no operation',
      { ...base, request: { ...base.request, operation: undefined } },
      'request.operation',
      /is required/,
    ],
  ];
  const noOperation = await postRaw(
    JSON.stringify({ ...base, request: { ...base.request, operation: undefined, object: null } }),
    'application/json',
  );
  t.same(
    noOperation.json.fields?.map((f) => f.field),
    ['request.operation'],
    'without an operation, only the operation is reported',
  );
  for (const [label, body, field, message] of cases) {
    const res = await postRaw(JSON.stringify(body), 'application/json');
    t.equal(res.statusCode, 400, label);
    t.equal(res.json.code, 'ERR_INVALID_ADMISSION_REVIEW', label);
    const issue = res.json.fields?.find((f) => f.field === field);
    t.ok(issue, `${label}: names ${field} (got ${JSON.stringify(res.json.fields)})`);
    t.match(issue?.message, message, label);
    t.match(
      res.json.message,
      field === '(body)' ? /invalid AdmissionReview/ : new RegExp(field.replace(/\./g, '\\.')),
      label,
    );
  }
});

t.test('unknown fields of the envelope and the object are kept, not rejected', async (t) => {
  const body = JSON.parse(valid) as { request: Record<string, unknown> } & Record<string, unknown>;
  body['futureField'] = true;
  body.request['futureField'] = { nested: 1 };
  const res = await postRaw(JSON.stringify(body), 'application/json');
  t.equal(res.statusCode, 200);
});

t.test('GET /validate is 404; the route takes POST only', async (t) => {
  const app = buildTestApp();
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/validate' });
  t.equal(res.statusCode, 404);
});
