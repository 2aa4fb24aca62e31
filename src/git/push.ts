/**
 * `git push --atomic --porcelain` with a lease per ref: the remote takes every update or none,
 * and only if each ref still has the value we expect, so a commit someone else pushed is never
 * overwritten. The remote re-checks the old value under its ref lock, which makes this a true
 * compare-and-swap even when two pushes race.
 */
import { GitError, GitPushRejectedError } from './errors.js';
import type { GitErrorDetails, RejectedRef } from './errors.js';
import { assertOid, assertRefName } from './refs.js';
import { describeCommand, runGit } from './run-git.js';
import type { RunGitOptions } from './run-git.js';

export interface PushUpdate {
  ref: string;
  /** The commit to set; null deletes the remote ref. */
  newOid: string | null;
  /** What the remote ref must be now: an oid, or null when it must not exist. */
  expectedRemoteOid: string | null;
}

export interface PushedRef {
  ref: string;
  /** `ok` (updated, created, deleted or forced under the lease) or `up-to-date`. */
  status: 'ok' | 'up-to-date';
}

/** Pushes all updates in one atomic push. Throws `GitPushRejectedError` when any is refused. */
export async function pushRefs(
  url: string,
  updates: readonly PushUpdate[],
  options: RunGitOptions,
): Promise<PushedRef[]> {
  assertPushUpdates(updates);
  if (updates.length === 0) return [];
  const leases: string[] = [];
  const refspecs: string[] = [];
  for (const { ref, newOid, expectedRemoteOid } of updates) {
    leases.push(`--force-with-lease=${ref}:${expectedRemoteOid ?? ''}`);
    refspecs.push(`${newOid ?? ''}:${ref}`);
  }
  const args = ['push', '--atomic', '--porcelain', '--no-verify', ...leases, '--', url, ...refspecs];
  // Exit 1 with porcelain lines means "rejected"; we read the lines to say which refs and why.
  const result = await runGit(args, { ...options, allowExitCodes: [1] });
  const lines = parsePorcelain(result.stdout.toString('utf8'));
  const rejected: RejectedRef[] = lines
    .filter((l) => l.flag === '!')
    .map((l) => ({ ref: l.ref, reason: l.reason }));
  if (result.exitCode !== 0 || rejected.length > 0) {
    const details = {
      command: describeCommand(args, options.secrets),
      exitCode: result.exitCode,
      stderr: result.stderr,
    };
    if (rejected.length === 0) {
      throw new GitError(`git push failed (exit code ${result.exitCode}): ${result.stderr}`, details);
    }
    throw pushRejected(rejected, details);
  }
  return lines.map((l) => ({ ref: l.ref, status: l.flag === '=' ? 'up-to-date' : 'ok' }));
}

/** Throws unless every update names a valid full ref and full object ids. */
export function assertPushUpdates(updates: readonly PushUpdate[]): void {
  for (const { ref, newOid, expectedRemoteOid } of updates) {
    assertRefName(ref);
    if (newOid !== null) assertOid(newOid);
    if (expectedRemoteOid !== null) assertOid(expectedRemoteOid);
  }
}

/** The error for refused updates; with an atomic push every ref is refused, so the causes come first. */
export function pushRejected(
  rejected: readonly RejectedRef[],
  details: GitErrorDetails,
): GitPushRejectedError {
  const causes = rejected.filter((r) => r.reason !== 'atomic push failed');
  const shown = (causes.length > 0 ? causes : rejected).map((r) => `"${r.ref}" (${r.reason})`).join(', ');
  return new GitPushRejectedError(
    `push rejected for ${shown}; nothing was updated: fetch, rebuild the change on the remote state and retry`,
    rejected,
    details,
  );
}

interface PorcelainLine {
  flag: string;
  ref: string;
  reason: string;
}

/** Lines `<flag>\t<from>:<to>\t<summary> (<reason>)`, between `To <url>` and `Done`. */
export function parsePorcelain(stdout: string): PorcelainLine[] {
  const out: PorcelainLine[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^([ +\-*!=])\t([^\t]*)\t(.*)$/.exec(line);
    if (match === null) continue;
    const [, flag = '', refs = '', summary = ''] = match;
    const ref = refs.slice(refs.lastIndexOf(':') + 1);
    const reason = /\(([^)]*)\)\s*$/.exec(summary)?.[1] ?? summary.trim();
    out.push({ flag, ref, reason });
  }
  return out;
}
