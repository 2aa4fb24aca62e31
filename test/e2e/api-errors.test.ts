/**
 * Bad input over raw HTTP: each error has the right code, reason and field causes, and nothing
 * is written (the store's resourceVersion and the object stay as they were).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLading, type LadingServer } from '../support/lading-server.js';

interface Status {
  kind: string;
  code: number;
  reason: string;
  message: string;
  details?: { causes?: { field?: string; reason?: string; message?: string }[] };
}

describe('API errors', () => {
  let server: LadingServer;
  const cm = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { a: '1' },
    ...extra,
  });
  const request = async (method: string, path: string, body?: string, contentType = 'application/json') => {
    const res = await fetch(server.url + path, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': contentType } }),
    });
    return { status: res.status, json: (await res.json()) as Status & Record<string, unknown> };
  };
  /** The store's current resourceVersion, as a list reports it. */
  const currentRv = async () =>
    (
      (await request('GET', '/api/v1/namespaces/default/configmaps')).json.metadata as {
        resourceVersion: string;
      }
    ).resourceVersion;

  beforeAll(async () => {
    server = await startLading();
    expect(
      (await request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(cm('existing')))).status,
    ).toBe(201);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    [
      'malformed JSON',
      'POST',
      '/api/v1/namespaces/default/configmaps',
      '{"apiVersion": "v1", ',
      400,
      'BadRequest',
    ],
    [
      'malformed YAML',
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'a: [b',
      400,
      'BadRequest',
      'application/yaml',
    ],
    ['unknown kind', 'POST', '/api/v1/namespaces/default/widgets', JSON.stringify(cm('x')), 404, 'NotFound'],
    ['unknown group', 'GET', '/apis/nothing.example.com/v1/things', undefined, 404, 'NotFound'],
    [
      'kind mismatch',
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify({ ...cm('x'), kind: 'Secret' }),
      400,
      'BadRequest',
    ],
    [
      'unsupported content type',
      'POST',
      '/api/v1/namespaces/default/configmaps',
      'x',
      415,
      'UnsupportedMediaType',
      'text/plain',
    ],
    [
      'missing namespace',
      'POST',
      '/api/v1/namespaces/nope/configmaps',
      JSON.stringify(cm('x')),
      404,
      'NotFound',
    ],
    [
      'duplicate name',
      'POST',
      '/api/v1/namespaces/default/configmaps',
      JSON.stringify(cm('existing')),
      409,
      'AlreadyExists',
    ],
  ])('%s → %i', async (_name, method, path, body, code, reason, contentType = 'application/json') => {
    const before = await currentRv();
    const res = await request(method, path, body, contentType);
    expect(res.status).toBe(code);
    expect(res.json).toMatchObject({ kind: 'Status', code, reason, status: 'Failure' });
    expect(res.json.message.length).toBeGreaterThan(10);
    expect(await currentRv()).toBe(before);
  });

  it.each([
    [
      'an invalid name and data key',
      { metadata: { name: 'Not_A_Name' }, data: { 'bad key!': 'x' } },
      ['metadata.name', 'data[bad key!]'],
    ],
    [
      'a schema violation',
      { metadata: { name: 'typed' }, immutable: 'yes', data: { a: 1 } },
      ['immutable', 'data.a'],
    ],
  ])('rejects %s with 422 and field paths', async (_name, fields, expected) => {
    const before = await currentRv();
    const body = { apiVersion: 'v1', kind: 'ConfigMap', ...fields };
    const res = await request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(body));
    expect(res.status).toBe(422);
    expect(res.json.reason).toBe('Invalid');
    expect((res.json.details?.causes ?? []).map((c) => c.field).sort()).toEqual([...expected].sort());
    expect(await currentRv()).toBe(before);
    const name = fields.metadata.name;
    expect((await request('GET', `/api/v1/namespaces/default/configmaps/${name}`)).status).toBe(404);
  });

  it('refuses a body over 3 MiB with 413 and writes nothing', async () => {
    const before = await currentRv();
    const big = JSON.stringify(cm('big', { data: { a: 'x'.repeat(3 * 1024 * 1024) } }));
    const res = await request('POST', '/api/v1/namespaces/default/configmaps', big);
    expect(res.status).toBe(413);
    expect(res.json.reason).toBe('RequestEntityTooLarge');
    expect(await currentRv()).toBe(before);
  });

  it('refuses a stale update with 409 and keeps the newer object', async () => {
    const current = (await request('GET', '/api/v1/namespaces/default/configmaps/existing'))
      .json as unknown as {
      metadata: { resourceVersion: string };
    };
    const staleRv = current.metadata.resourceVersion;
    const fresh = {
      ...cm('existing', { data: { a: '2' } }),
      metadata: { name: 'existing', resourceVersion: staleRv },
    };
    expect(
      (await request('PUT', '/api/v1/namespaces/default/configmaps/existing', JSON.stringify(fresh))).status,
    ).toBe(200);
    const stale = {
      ...cm('existing', { data: { a: 'stale' } }),
      metadata: { name: 'existing', resourceVersion: staleRv },
    };
    const res = await request('PUT', '/api/v1/namespaces/default/configmaps/existing', JSON.stringify(stale));
    expect(res.status).toBe(409);
    expect(res.json.reason).toBe('Conflict');
    const after = (await request('GET', '/api/v1/namespaces/default/configmaps/existing'))
      .json as unknown as { data: unknown };
    expect(after.data).toEqual({ a: '2' });
  });

  it('rejects unknown fields with fieldValidation=Strict and warns by default', async () => {
    const body = JSON.stringify(cm('unknown-fields', { extra: true }));
    const strict = await request(
      'POST',
      '/api/v1/namespaces/default/configmaps?fieldValidation=Strict',
      body,
    );
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('unknown field "extra"');
    const res = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('warning')).toContain('unknown field \\"extra\\"');
    expect(((await res.json()) as Record<string, unknown>).extra).toBeUndefined();
  });

  it('does not write on dryRun=All', async () => {
    const before = await currentRv();
    const res = await request(
      'POST',
      '/api/v1/namespaces/default/configmaps?dryRun=All',
      JSON.stringify(cm('dry')),
    );
    expect(res.status).toBe(201);
    expect(await currentRv()).toBe(before);
    expect((await request('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
  });

  it('does not delete on a DeleteOptions dryRun (how kubectl sends it), and checks its values', async () => {
    expect(
      (await request('POST', '/api/v1/namespaces/default/configmaps', JSON.stringify(cm('kept')))).status,
    ).toBe(201);
    const before = await currentRv();
    const path = '/api/v1/namespaces/default/configmaps/kept';
    const dry = await request('DELETE', path, JSON.stringify({ kind: 'DeleteOptions', dryRun: ['All'] }));
    expect(dry.status).toBe(200);
    expect(await currentRv()).toBe(before);
    expect((await request('GET', path)).status).toBe(200);
    const bad = await request('DELETE', path, JSON.stringify({ kind: 'DeleteOptions', dryRun: ['Some'] }));
    expect(bad.status).toBe(400);
    expect(bad.json.message).toBe('dryRun: Unsupported value: "Some": supported values: "All"');
    expect((await request('GET', path)).status).toBe(200);
  });
});
