/**
 * Content digests (`sha256:<hex>`): computing them over bytes and streams, and verifying a stream
 * against an expected digest while it flows, without holding it in memory.
 */
import { createHash } from 'node:crypto';

/** A digest string, `<algorithm>:<hex>`. Only sha256 and sha512 are accepted. */
export type Digest = `sha256:${string}` | `sha512:${string}`;

const DIGEST_RE = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/** A digest did not match the content, or a digest string is malformed. */
export class DigestError extends Error {
  readonly expected: string;
  readonly actual: string | undefined;

  constructor(message: string, options: { expected: string; actual?: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DigestError';
    this.expected = options.expected;
    this.actual = options.actual;
  }
}

export function isDigest(value: unknown): value is Digest {
  return typeof value === 'string' && DIGEST_RE.test(value);
}

/** Returns `value` as a Digest or throws a DigestError saying what shape is expected. */
export function parseDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new DigestError(
      `digest ${JSON.stringify(value)} is malformed: it must be "sha256:" and 64 lowercase hex digits`,
      {
        expected: value,
      },
    );
  }
  return value;
}

function algorithmOf(digest: Digest): 'sha256' | 'sha512' {
  return digest.startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** The hex part of a digest (the file name in an OCI layout's `blobs/<alg>/`). */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

export function digestAlgorithm(digest: Digest): 'sha256' | 'sha512' {
  return algorithmOf(digest);
}

/** sha256 of bytes or a string (UTF-8). */
export function sha256(data: Uint8Array | string): Digest {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** Accumulates a digest and a byte count over chunks. */
export class Digester {
  private readonly hash;
  readonly algorithm: 'sha256' | 'sha512';
  size = 0;

  constructor(algorithm: 'sha256' | 'sha512' = 'sha256') {
    this.algorithm = algorithm;
    this.hash = createHash(algorithm);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.byteLength;
  }

  digest(): Digest {
    return `${this.algorithm}:${this.hash.digest('hex')}` as Digest;
  }
}

/** Digest and size of a whole stream (consumes it). */
export async function digestStream(
  source: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<{ digest: Digest; size: number }> {
  const d = new Digester();
  for await (const chunk of source) {
    signal?.throwIfAborted();
    d.update(chunk);
  }
  return { digest: d.digest(), size: d.size };
}

export interface VerifyOptions {
  /** Expected byte count; more bytes fail at once, fewer fail at the end. */
  size?: number;
  /** What the bytes are, for the error message (e.g. `blob sha256:… in registry.example/app`). */
  what?: string;
  signal?: AbortSignal;
}

/**
 * Passes chunks through while hashing them; after the last chunk throws a DigestError when the
 * digest (or the size) differs. The consumer must treat everything it received as untrusted
 * until the iteration finished without error (write to a temp file, rename afterwards).
 */
export async function* verifyStream(
  source: AsyncIterable<Uint8Array>,
  expected: Digest,
  options: VerifyOptions = {},
): AsyncGenerator<Buffer> {
  const what = options.what ?? 'content';
  const d = new Digester(algorithmOf(expected));
  for await (const chunk of source) {
    options.signal?.throwIfAborted();
    d.update(chunk);
    if (options.size !== undefined && d.size > options.size) {
      throw new DigestError(`${what} is larger than its descriptor's size ${options.size}: refusing it`, {
        expected,
      });
    }
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (options.size !== undefined && d.size !== options.size) {
    throw new DigestError(
      `${what} has ${d.size} bytes but its descriptor says ${options.size}: the transfer was cut short or the content is wrong`,
      {
        expected,
      },
    );
  }
  const actual = d.digest();
  if (actual !== expected) {
    throw new DigestError(`${what} does not match its digest: expected ${expected}, got ${actual}`, {
      expected,
      actual,
    });
  }
}

/** Throws a DigestError when `data` does not hash to `expected`. */
export function verifyBytes(data: Uint8Array, expected: Digest, what = 'content'): void {
  const actual =
    algorithmOf(expected) === 'sha256'
      ? sha256(data)
      : (`sha512:${createHash('sha512').update(data).digest('hex')}` as Digest);
  if (actual !== expected) {
    throw new DigestError(`${what} does not match its digest: expected ${expected}, got ${actual}`, {
      expected,
      actual,
    });
  }
}
