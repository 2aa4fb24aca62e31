import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createBareRepo, gitAt } from '../../test/support/git-server.js';
import { LooseRefWriter } from './loose-refs.js';

let tmp: string;
let initial: string;
let count = 0;

beforeAll(async () => {
  tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'lading-loose-refs-'));
});

afterAll(async () => {
  await fs.promises.rm(tmp, { recursive: true, force: true });
});

async function repo(): Promise<string> {
  const dir = path.join(tmp, `r${count++}.git`);
  initial = (await createBareRepo(dir, { files: { f: 'x\n' } })) ?? '';
  return dir;
}

const refsOf = async (dir: string): Promise<string> =>
  (await gitAt(dir, ['for-each-ref', '--format=%(refname) %(objectname)'])).trim();

describe('LooseRefWriter', () => {
  it('creates, moves and deletes refs that git then reads', async () => {
    const dir = await repo();
    expect(
      new LooseRefWriter(dir).write([
        { ref: 'refs/heads/drafts/pkg/ws', newOid: initial },
        { ref: 'refs/tags/pkg/v1', newOid: initial },
      ]),
    ).toBe(true);
    expect(await refsOf(dir)).toBe(
      [
        `refs/heads/drafts/pkg/ws ${initial}`,
        `refs/heads/main ${initial}`,
        `refs/tags/pkg/v1 ${initial}`,
      ].join('\n'),
    );
    expect(new LooseRefWriter(dir).write([{ ref: 'refs/heads/drafts/pkg/ws', newOid: null }])).toBe(true);
    expect(await refsOf(dir)).toBe([`refs/heads/main ${initial}`, `refs/tags/pkg/v1 ${initial}`].join('\n'));
    await gitAt(dir, ['fsck', '--strict']);
  });

  it('keeps the directories of a deleted ref, and writes a ref where only empty ones stand', async () => {
    const dir = await repo();
    const writer = new LooseRefWriter(dir);
    writer.write([{ ref: 'refs/heads/drafts/pkg/sub/ws', newOid: initial }]);
    writer.write([{ ref: 'refs/heads/drafts/pkg/sub/ws', newOid: null }]);
    expect(fs.statSync(path.join(dir, 'refs/heads/drafts/pkg/sub')).isDirectory()).toBe(true);

    expect(writer.write([{ ref: 'refs/heads/drafts/pkg', newOid: initial }])).toBe(true);
    expect(await refsOf(dir)).toBe(
      [`refs/heads/drafts/pkg ${initial}`, `refs/heads/main ${initial}`].join('\n'),
    );
    // git sees the same and can itself write a ref where the writer left directories.
    writer.write([
      { ref: 'refs/heads/drafts/pkg', newOid: null },
      { ref: 'refs/heads/x/y', newOid: initial },
    ]);
    writer.write([{ ref: 'refs/heads/x/y', newOid: null }]);
    await gitAt(dir, ['update-ref', 'refs/heads/x', initial]);
    expect(await refsOf(dir)).toBe([`refs/heads/main ${initial}`, `refs/heads/x ${initial}`].join('\n'));
    await gitAt(dir, ['fsck', '--strict']);
  });

  it('overrides a packed ref with a loose file, and leaves deleting a packed ref to git', async () => {
    const dir = await repo();
    await gitAt(dir, ['update-ref', 'refs/tags/pkg/v1', initial]);
    await gitAt(dir, ['pack-refs', '--all', '--prune']);
    const tree = (await gitAt(dir, ['rev-parse', `${initial}^{tree}`])).trim();
    new LooseRefWriter(dir).write([{ ref: 'refs/heads/main', newOid: tree }]);
    expect((await gitAt(dir, ['rev-parse', 'refs/heads/main'])).trim()).toBe(tree);

    const before = await refsOf(dir);
    expect(
      new LooseRefWriter(dir).write([
        { ref: 'refs/heads/new', newOid: initial },
        { ref: 'refs/tags/pkg/v1', newOid: null },
      ]),
    ).toBe(false);
    expect(await refsOf(dir)).toBe(before);
  });

  it('throws, leaving no lock behind, when a ref stands under the name of the new one', async () => {
    const dir = await repo();
    await gitAt(dir, ['update-ref', 'refs/heads/a/b', initial]);
    expect(() => new LooseRefWriter(dir).write([{ ref: 'refs/heads/a', newOid: initial }])).toThrow();
    expect(fs.existsSync(path.join(dir, 'refs/heads/a.lock'))).toBe(false);
  });

  it('refuses a bad ref name or oid before writing anything', async () => {
    const dir = await repo();
    expect(() => new LooseRefWriter(dir).write([{ ref: 'refs/heads/../x', newOid: initial }])).toThrow(
      'not a valid full ref name',
    );
    expect(() => new LooseRefWriter(dir).write([{ ref: 'refs/heads/x', newOid: 'abc' }])).toThrow(
      'not a full object id',
    );
    expect(await refsOf(dir)).toBe(`refs/heads/main ${initial}`);
  });
});
