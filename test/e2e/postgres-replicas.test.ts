/**
 * Two `lading serve` processes on one PostgreSQL database: both serve the API, a watch on one
 * sees every write made through the other (LISTEN/NOTIFY), exactly one leads the controllers,
 * and the other takes over when the leader stops.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { startGitServer, type GitServer } from '../support/git-server.js';
import { apiCall, startLading, type LadingServer } from '../support/lading-server.js';

const pg = await startPostgres();
const skip = 'skip' in pg ? pg.skip : undefined;
if (skip) console.warn(`skipping PostgreSQL replica tests: ${skip}`);

describe.skipIf(skip !== undefined)('two replicas on one PostgreSQL', () => {
  let a: LadingServer;
  let b: LadingServer;
  let git: GitServer;

  beforeAll(async () => {
    git = await startGitServer();
    await git.createRepo('shared');
    const url = (pg as TestPostgres).url;
    a = await startLading({ args: ['--database-url', url] });
    b = await startLading({ args: ['--database-url', url] });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await git?.stop();
    if (!skip) await (pg as TestPostgres).stop();
  });

  const post = (server: LadingServer, name: string) =>
    fetch(`${server.url}/api/v1/namespaces/default/configmaps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { from: name } }),
    });

  it('serves the same objects from both replicas', async () => {
    expect((await post(a, 'from-a')).status).toBe(201);
    const res = await fetch(`${b.url}/api/v1/namespaces/default/configmaps/from-a`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown }).data).toEqual({ from: 'from-a' });
  });

  it('delivers writes on one replica to watches on the other, in order', async () => {
    const list = (await (await fetch(`${b.url}/api/v1/namespaces/default/configmaps`)).json()) as {
      metadata: { resourceVersion: string };
    };
    const controller = new AbortController();
    const res = await fetch(
      `${b.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${list.metadata.resourceVersion}`,
      { signal: controller.signal },
    );
    const names: string[] = [];
    const versions: number[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffer.slice(0, newline)) as {
            type: string;
            object: { metadata: { name: string; resourceVersion: string } };
          };
          buffer = buffer.slice(newline + 1);
          names.push(`${event.type} ${event.object.metadata.name}`);
          versions.push(Number(event.object.metadata.resourceVersion));
          if (names.length === 20) return;
        }
      }
    })();
    for (let i = 0; i < 20; i++) expect((await post(i % 2 === 0 ? a : b, `w-${i}`)).status).toBe(201);
    await reading;
    controller.abort();
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `ADDED w-${i}`));
    expect(versions).toEqual([...versions].sort((x, y) => x - y));
  });

  it('takes package writes on the follower: it opens the repository itself and indexes the package', async () => {
    const leaders = (s: LadingServer) => s.logs.filter((l) => l.includes('"acquired leadership"')).length;
    const [leader, follower] = leaders(a) === 1 ? [a, b] : [b, a];
    type Sent = { metadata: { labels?: Record<string, string> }; spec: Record<string, unknown> };
    const send = (server: LadingServer, method: string, path: string, body?: unknown) =>
      apiCall<Sent>(server.url, method, path, body);
    await send(leader, 'POST', '/apis/config.porch.kpt.dev/v1alpha1/namespaces/default/repositories', {
      apiVersion: 'config.porch.kpt.dev/v1alpha1',
      kind: 'Repository',
      metadata: { name: 'shared' },
      spec: { type: 'git', git: { repo: git.url('shared'), branch: 'main', createBranch: true } },
    });
    const revisions = '/apis/porch.kpt.dev/v1alpha1/namespaces/default/packagerevisions';
    await send(follower, 'POST', revisions, {
      apiVersion: 'porch.kpt.dev/v1alpha1',
      kind: 'PackageRevision',
      metadata: { name: 'shared.web.ws1' },
      spec: {
        packageName: 'web',
        repository: 'shared',
        workspaceName: 'ws1',
        tasks: [{ type: 'init', init: {} }],
      },
    });
    const draft = await send(follower, 'GET', `${revisions}/shared.web.ws1`);
    const proposed = await send(follower, 'PUT', `${revisions}/shared.web.ws1`, {
      ...draft,
      spec: { ...draft.spec, lifecycle: 'Proposed' },
    });
    await send(follower, 'PUT', `${revisions}/shared.web.ws1/approval`, {
      ...proposed,
      spec: { ...proposed.spec, lifecycle: 'Published' },
    });
    // The leader serves what the follower wrote, latest-revision label included.
    const published = await send(leader, 'GET', `${revisions}/shared.web.ws1`);
    expect(published.spec).toMatchObject({ lifecycle: 'Published', revision: 1 });
    expect(published.metadata.labels).toMatchObject({ 'kpt.dev/latest-revision': 'true' });
  });

  it('elects one leader and fails over when it stops', async () => {
    const leaders = (s: LadingServer) => s.logs.filter((l) => l.includes('"acquired leadership"')).length;
    expect(leaders(a) + leaders(b)).toBe(1);
    const [leader, follower] = leaders(a) === 1 ? [a, b] : [b, a];
    expect(await leader.stop()).toBe(0);
    const deadline = Date.now() + 15_000;
    while (leaders(follower) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(leaders(follower)).toBe(1);
    // The new leader runs the controllers: a CRD gets its Established condition.
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'things.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Thing', plural: 'things' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const created = await fetch(`${follower.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(crd),
    });
    expect(created.status).toBe(201);
    let established = false;
    while (!established && Date.now() < deadline + 10_000) {
      const got = (await (
        await fetch(
          `${follower.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/things.example.com`,
        )
      ).json()) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      established =
        got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
      if (!established) await new Promise((r) => setTimeout(r, 100));
    }
    expect(established).toBe(true);
  });
});
