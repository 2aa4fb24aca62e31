import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildPackageImage, readPackageImageFiles } from './package-image.js';

/** A raw ustar header (tests need entries the writer refuses to produce). */
function header(name: string, type: string, size = 0, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(type, 156);
  h.write(linkname, 157, 100);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function tar(...entries: { name: string; type?: string; body?: string; link?: string }[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    parts.push(header(e.name, e.type ?? '0', body.length, e.link ?? ''));
    parts.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

// eslint-disable-next-line @typescript-eslint/require-await
async function* once(b: Uint8Array): AsyncGenerator<Uint8Array> {
  yield b;
}

describe('package image layers', () => {
  it('reads files under package/ only, later layers winning, directories skipped', async () => {
    const l1 = tar(
      { name: 'package/', type: '5' },
      { name: 'package/a.yaml', body: 'a1' },
      { name: 'other.txt', body: 'x' },
    );
    const l2 = gzipSync(tar({ name: 'package/a.yaml', body: 'a2' }, { name: 'package/b/c.yaml', body: 'c' }));
    const files = await readPackageImageFiles([once(l1), once(l2)]);
    expect(Object.fromEntries([...files].map(([k, v]) => [k, Buffer.from(v).toString()]))).toEqual({
      'a.yaml': 'a2',
      'b/c.yaml': 'c',
    });
  });

  it.each([
    {
      name: '`..` in a name',
      layer: tar({ name: 'package/../../etc/passwd', body: 'x' }),
      want: /package layer is not a valid tar: .*\.\./,
    },
    {
      name: 'an absolute name',
      layer: tar({ name: '/etc/passwd', body: 'x' }),
      want: /package layer is not a valid tar/,
    },
    { name: 'a device file', layer: tar({ name: 'package/dev', type: '3' }), want: /device/ },
    {
      name: 'a symlink out of the layer',
      layer: tar({ name: 'package/l', type: '2', link: '../../etc' }),
      want: /package layer is not a valid tar|symlink/,
    },
    {
      name: 'a symlink inside',
      layer: tar({ name: 'package/a', body: 'x' }, { name: 'package/l', type: '2', link: 'a' }),
      want: /is a symlink; package images hold only regular files/,
    },
    {
      name: 'a truncated layer',
      layer: tar({ name: 'package/a.yaml', body: 'x'.repeat(2000) }).subarray(0, 1200),
      want: /package layer is not a valid tar/,
    },
    {
      name: 'a truncated gzip',
      layer: gzipSync(tar({ name: 'package/a.yaml', body: 'x'.repeat(5000) })).subarray(0, 40),
      want: /package layer is not a valid tar/,
    },
    {
      name: 'no package files',
      layer: tar({ name: 'README', body: 'x' }),
      want: /Package image contains no files. Might be corrupted./,
    },
  ])('refuses $name', async ({ layer, want }) => {
    await expect(readPackageImageFiles([once(layer)])).rejects.toThrow(want);
  });

  it('builds the same digest for the same files in any insertion order', async () => {
    const a = await buildPackageImage(
      new Map([
        ['b.yaml', Buffer.from('b')],
        ['a.yaml', Buffer.from('a')],
      ]),
    );
    const b = await buildPackageImage(
      new Map([
        ['a.yaml', Buffer.from('a')],
        ['b.yaml', Buffer.from('b')],
      ]),
    );
    expect(a.digest).toBe(b.digest);
    expect(a.manifest.layers[0]?.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+gzip');
    expect(a.config).toMatchObject({ architecture: 'amd64', os: 'linux', created: '1970-01-01T00:00:00Z' });
  });
});
