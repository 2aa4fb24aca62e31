import { describe, expect, it } from 'vitest';

import { InvalidError } from '../apimachinery/index.js';
import { commitMessageFor, readKptTrailer, validateNames, withKptTrailer } from './git-layout.js';

describe('kpt trailer', () => {
  it('writes Porch’s trailer byte for byte and reads it back', () => {
    const message = withKptTrailer('Creating new empty revision\n', {
      package: 'a/b',
      workspaceName: 'ws',
      revision: '0',
      task: { type: 'init' },
    });
    expect(message).toBe(
      'Creating new empty revision\n\nkpt:{"package":"a/b","workspaceName":"ws","revision":"0","task":{"type":"init"}}\n',
    );
    expect(readKptTrailer(message)).toEqual({
      package: 'a/b',
      workspaceName: 'ws',
      revision: '0',
      task: { type: 'init' },
    });
  });

  it.each([
    ['no trailer', 'just a message\n', undefined],
    ['broken JSON is ignored', 'm\n\nkpt:{"package":', undefined],
    ['not an object', 'm\n\nkpt:[1]', undefined],
    [
      'task omitted',
      'm\n\nkpt:{"package":"p","workspaceName":"w","revision":"2"}',
      { package: 'p', workspaceName: 'w', revision: '2' },
    ],
    [
      'numeric revision',
      'm\n\nkpt:{"package":"p","workspaceName":"w","revision":3}',
      { package: 'p', workspaceName: 'w', revision: '3' },
    ],
    [
      'the last of several lines wins, wherever it is',
      'kpt:{"package":"p","workspaceName":"a","revision":"1"}\nbody\nkpt:{"package":"p","workspaceName":"b","revision":"1"}\nSigned-off-by: x',
      { package: 'p', workspaceName: 'b', revision: '1' },
    ],
  ])('%s', (_name, message, expected) => {
    expect(readKptTrailer(message)).toEqual(expected);
  });
});

describe('commitMessageFor', () => {
  it.each([
    [{ type: 'init' }, 'Creating new empty revision'],
    [{ type: 'clone' }, 'Creating new revision by cloning'],
    [{ type: 'edit' }, 'Creating new revision by copying previous revision'],
    [{ type: 'upgrade' }, 'Upgrading revision'],
    [{ type: 'render' }, 'Rendering package'],
    [undefined, 'Intermediate commit'],
    [{ type: 'push' }, 'Intermediate commit: push'],
  ])('%j → %s', (task, expected) => {
    expect(commitMessageFor(task)).toBe(expected);
  });
});

describe('validateNames', () => {
  it.each([
    ['a/b', 'ws-1', ''],
    ['a', 'v1', 'dir'],
  ])('accepts %s / %s', (pkg, ws, dir) => {
    expect(() => validateNames(pkg, ws, dir)).not.toThrow();
  });

  it.each([
    ['empty package', '', 'ws', 'spec.packageName'],
    ['dot-dot', 'a/../b', 'ws', 'spec.packageName'],
    ['absolute', '/a', 'ws', 'spec.packageName'],
    ['trailing slash', 'a/', 'ws', 'spec.packageName'],
    ['ref-unsafe', 'a b', 'ws', 'spec.packageName'],
    ['lock suffix', 'a.lock', 'ws', 'spec.packageName'],
    ['upper-case workspace', 'a', 'WS', 'spec.workspaceName'],
    ['long workspace', 'a', 'w'.repeat(64), 'spec.workspaceName'],
  ])('rejects %s', (_name, pkg, ws, field) => {
    let error: unknown;
    try {
      validateNames(pkg, ws, '');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidError);
    expect((error as InvalidError).causes.map((c) => c.field)).toContain(field);
  });
});
