import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { issueSelfSigned, servingCertificate } from './serving-certificate.js';

describe('issueSelfSigned', () => {
  const { cert, key } = issueSelfSigned(['localhost', '127.0.0.1', '::1', 'lading.example.com']);
  const x509 = new X509Certificate(cert);

  it('is a self-signed CA certificate for the server key', () => {
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(x509.ca).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(key))).toBe(true);
    expect(x509.subject).toBe('CN=lading');
  });

  it.each([
    ['localhost', (c: X509Certificate) => c.checkHost('localhost')],
    ['lading.example.com', (c: X509Certificate) => c.checkHost('lading.example.com')],
    ['127.0.0.1', (c: X509Certificate) => c.checkIP('127.0.0.1')],
    ['::1', (c: X509Certificate) => c.checkIP('::1')],
  ])('covers %s', (host, check) => {
    expect(check(x509)).toBe(host);
  });

  it('does not cover other hosts', () => {
    expect(x509.checkHost('example.org')).toBeUndefined();
    expect(x509.checkIP('10.0.0.1')).toBeUndefined();
  });

  it('is valid for ten years', () => {
    const years = (Date.parse(x509.validTo) - Date.parse(x509.validFrom)) / (365 * 24 * 3600 * 1000);
    expect(Math.round(years)).toBe(10);
  });
});

describe('servingCertificate', () => {
  it('keeps the certificate across calls and reissues it for new hosts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lading-cert-'));
    try {
      const first = await servingCertificate(dir, ['127.0.0.1']);
      expect(await readFile(join(dir, 'serving.crt'), 'utf8')).toBe(first.cert);
      expect((await servingCertificate(dir, ['127.0.0.1'])).cert).toBe(first.cert);
      const other = await servingCertificate(dir, ['127.0.0.1', 'lading.internal']);
      expect(other.cert).not.toBe(first.cert);
      expect(new X509Certificate(other.cert).checkHost('lading.internal')).toBe('lading.internal');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
