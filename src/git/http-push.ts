/**
 * `git push --atomic --force-with-lease` spoken in-process over smart HTTP
 * (`gitprotocol-http(5)`, `gitprotocol-pack(5)`): ref discovery with
 * `GET info/refs?service=git-receive-pack`, then a `POST git-receive-pack` with the commands
 * (`<old> <new> <ref>`, `old` being the lease) and a pack of exactly the objects the write created.
 * receive-pack re-checks every old value under its ref locks, so this is the same compare-and-swap
 * as `git push`, without starting git, a remote helper and pack-objects for each push.
 *
 * A server that does not speak smart HTTP with `report-status` and `atomic`, or that could not
 * take our pack, fails with failure `protocol`: the caller then pushes with the git CLI instead.
 */
import * as http from 'node:http';
import * as https from 'node:https';

import { GitAuthenticationError, GitError } from './errors.js';
import type { GitPushRejectedError } from './errors.js';
import type { RejectedRef } from './errors.js';
import type { WrittenObject } from './loose-objects.js';
import { encodePack } from './pack-encoding.js';
import { FLUSH, pktLine, readPktLines } from './pkt-line.js';
import { assertPushUpdates, pushRejected } from './push.js';
import type { PushedRef, PushUpdate } from './push.js';
import { redact } from './redact.js';
import { ZERO_OID } from './refs.js';

export interface HttpPushOptions {
  /** Request headers, e.g. Authorization. */
  headers: Readonly<Record<string, string>>;
  /** Values to redact from error messages. */
  secrets: readonly string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

const AGENT = 'agent=lading';

/**
 * Pushes to one remote. Ref discovery happens on the first push only: the service is stateless
 * (each POST carries the old value of every ref, checked by receive-pack under its locks), so
 * later pushes need just the capabilities learnt then — one request per push. A POST the server
 * does not answer as receive-pack forgets them, and the next push discovers again.
 */
export class HttpPusher {
  private capabilities: ReadonlySet<string> | undefined;

  constructor(private readonly url: string) {}

  async push(
    updates: readonly PushUpdate[],
    objects: readonly WrittenObject[],
    options: HttpPushOptions,
  ): Promise<PushedRef[]> {
    assertPushUpdates(updates);
    if (updates.length === 0) return [];
    const signal = requestSignal(options);
    const base = this.url.replace(/\/+$/, '');
    let commands = updates.filter((u) => u.newOid !== u.expectedRemoteOid);
    let capabilities = this.capabilities;
    if (capabilities === undefined) {
      const advertised = await discover(base, options, signal);
      capabilities = this.capabilities = advertised.capabilities;
      commands = checkLeases(updates, advertised.refs, base);
    }
    if (commands.length === 0) return updates.map((u) => ({ ref: u.ref, status: 'up-to-date' }));
    const needed = ['report-status', ...(commands.length > 1 ? ['atomic'] : [])];
    if (commands.some((u) => u.newOid === null)) needed.push('delete-refs');
    const missing = needed.filter((c) => !capabilities.has(c));
    if (missing.length > 0) throw protocolError(`the server does not offer ${missing.join(', ')}`, base);

    const lines = commands.map(({ ref, newOid, expectedRemoteOid }, i) => {
      const command = `${expectedRemoteOid ?? ZERO_OID} ${newOid ?? ZERO_OID} ${ref}`;
      const requested = [...needed.filter((c) => c !== 'delete-refs'), AGENT].join(' ');
      return pktLine(i === 0 ? `${command}\0${requested}\n` : `${command}\n`);
    });
    const body = [...lines, Buffer.from(FLUSH)];
    if (commands.some((u) => u.newOid !== null)) body.push(encodePack(objects));
    let response: Buffer;
    try {
      response = await request(`${base}/git-receive-pack`, options, signal, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-git-receive-pack-request',
          Accept: 'application/x-git-receive-pack-result',
        },
        body: Buffer.concat(body),
        expectType: 'application/x-git-receive-pack-result',
      });
    } catch (err) {
      this.capabilities = undefined;
      throw err;
    }
    const report = readReport(response, base);
    const rejected: RejectedRef[] = [];
    for (const { ref } of commands) {
      const status = report.get(ref);
      if (status === undefined) throw protocolError(`the server reported nothing for ${ref}`, base);
      if (/missing necessary objects|unpack/i.test(status))
        throw protocolError(`the server found our pack incomplete (${status})`, base);
      if (status !== 'ok') rejected.push({ ref, reason: status });
    }
    if (rejected.length > 0) throw rejectedError(rejected, base);
    return updates.map((u) => ({ ref: u.ref, status: commands.includes(u) ? 'ok' : 'up-to-date' }));
  }
}

/**
 * Like git with the advertised refs: a ref already at its new value is up to date (left out); a
 * lease that does not hold is "stale info", refused before anything is sent.
 */
function checkLeases(
  updates: readonly PushUpdate[],
  refs: ReadonlyMap<string, string>,
  base: string,
): PushUpdate[] {
  const remote = (u: PushUpdate): string | null => refs.get(u.ref) ?? null;
  const commands = updates.filter((u) => u.newOid === null || remote(u) !== u.newOid);
  const stale = commands.filter((u) => remote(u) !== u.expectedRemoteOid);
  if (stale.length > 0) {
    const reason = (u: PushUpdate): string => (stale.includes(u) ? 'stale info' : 'atomic push failed');
    throw rejectedError(
      updates.map((u) => ({ ref: u.ref, reason: reason(u) })),
      base,
    );
  }
  return commands;
}

interface Advertisement {
  refs: Map<string, string>;
  capabilities: Set<string>;
}

/**
 * Ref discovery. It changes nothing, so any failure but refused credentials or an abort (no
 * answer, TLS trust git has and we lack, a dumb server…) is `protocol`: the git CLI may do better.
 */
async function discover(base: string, options: HttpPushOptions, signal: AbortSignal): Promise<Advertisement> {
  let body: Buffer;
  try {
    body = await request(`${base}/info/refs?service=git-receive-pack`, options, signal, {
      method: 'GET',
      headers: {},
      expectType: 'application/x-git-receive-pack-advertisement',
    });
  } catch (err) {
    if (err instanceof GitAuthenticationError || options.signal?.aborted) throw err;
    throw protocolError((err as Error).message, redact(base, options.secrets), err);
  }
  const lines = readPktLines(body);
  if (!/^# service=git-receive-pack\n?$/.test(lines[0] ?? '')) {
    throw protocolError('the server does not speak smart HTTP for git-receive-pack', base);
  }
  const refs = new Map<string, string>();
  let capabilities = new Set<string>();
  for (const line of lines.slice(1)) {
    if (line === null) continue;
    const [refPart = '', caps] = line.replace(/\n$/, '').split('\0');
    if (caps !== undefined) capabilities = new Set(caps.split(' ').map((c) => c.split('=')[0] ?? c));
    const space = refPart.indexOf(' ');
    const name = refPart.slice(space + 1);
    if (name !== 'capabilities^{}') refs.set(name, refPart.slice(0, space));
  }
  return { refs, capabilities };
}

/** `unpack ok` then `ok <ref>` / `ng <ref> <reason>` per command: ref → `ok` or the reason. */
function readReport(body: Buffer, base: string): Map<string, string> {
  const lines = readPktLines(body).filter((l): l is string => l !== null);
  const unpack = lines[0]?.replace(/\n$/, '');
  if (unpack !== 'unpack ok') {
    throw protocolError(`the server could not take the pack (${unpack ?? 'no report'})`, base);
  }
  const report = new Map<string, string>();
  for (const line of lines.slice(1).map((l) => l.replace(/\n$/, ''))) {
    const match = /^(ok|ng) (\S+)(?: (.*))?$/.exec(line);
    if (match !== null) report.set(match[2] ?? '', match[1] === 'ok' ? 'ok' : (match[3] ?? 'rejected'));
  }
  return report;
}

async function request(
  url: string,
  options: HttpPushOptions,
  signal: AbortSignal,
  init: { method: string; headers: Record<string, string>; body?: Buffer; expectType?: string },
): Promise<Buffer> {
  const shown = redact(url, options.secrets);
  const what = `git push to ${shown.replace(/\/(info\/refs\?.*|git-receive-pack)$/, '')}`;
  let response: HttpResponse;
  try {
    response = await send(url, {
      method: init.method,
      headers: { 'User-Agent': 'git/lading', ...options.headers, ...init.headers },
      ...(init.body === undefined ? {} : { body: init.body }),
      signal,
    });
  } catch (err) {
    const failure = signal.aborted ? (options.signal?.aborted ? 'aborted' : 'timeout') : 'exit';
    throw new GitError(`${what} failed: ${redact(String((err as Error).message), options.secrets)}`, {
      command: ['git', 'push', shown],
      failure,
      cause: err,
    });
  }
  const { status, type, body } = response;
  const details = { command: ['git', 'push', shown], exitCode: status };
  if (status === 401 || status === 403) {
    throw new GitAuthenticationError(
      `${what} failed: Authentication failed (HTTP ${status}); check the repository's credentials`,
      details,
    );
  }
  if (status < 200 || status > 299) {
    const text = redact(body.toString('utf8', 0, 512).trim(), options.secrets);
    throw new GitError(`${what} failed: HTTP ${status}${text ? `: ${text}` : ''}`, details);
  }
  if (init.expectType !== undefined && !type.startsWith(init.expectType)) {
    throw protocolError(`the server answered ${type || 'without a content type'}, not smart HTTP`, shown);
  }
  return body;
}

interface HttpResponse {
  status: number;
  type: string;
  body: Buffer;
}

/**
 * One request with node's client (connections kept alive by its global agent), which costs a
 * fraction of `fetch` per call. Redirects are not followed: like git, which follows them only on
 * discovery, a redirected discovery leaves the push to the git CLI.
 */
function send(
  url: string,
  init: { method: string; headers: Record<string, string>; body?: Buffer; signal: AbortSignal },
): Promise<HttpResponse> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      {
        method: init.method,
        headers: { ...init.headers, 'Content-Length': String(init.body?.length ?? 0) },
        signal: init.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

function requestSignal(options: HttpPushOptions): AbortSignal {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  return options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
}

function protocolError(reason: string, url: string, cause?: unknown): GitError {
  return new GitError(`git push to ${url}: ${reason}`, {
    command: ['git', 'push', url],
    failure: 'protocol',
    ...(cause === undefined ? {} : { cause }),
  });
}

function rejectedError(rejected: readonly RejectedRef[], url: string): GitPushRejectedError {
  return pushRejected(rejected, { command: ['git', 'push', url] });
}
