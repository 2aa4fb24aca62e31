/**
 * Ref → revision mapping (porch.md §5.1). Costs one `for-each-ref` (done by the caller), one
 * pipelined batch read of the commits the refs point to, and one Kptfile search under the
 * repository directory on the branch head — never a tree walk per ref.
 */
import { createHash } from 'node:crypto';

import type { CommitInfo, GitMirror, GitRef } from '../git/index.js';

import { fullPackagePath, readKptTrailer, rfc3339, shortRef } from './git-layout.js';
import type { RevisionRecord } from './repository.js';

export interface LayoutConfig {
  branch: string;
  /** Normalized: no leading or trailing slash; '' for the root. */
  directory: string;
}

/** Hash of every ref name and target, in name order. */
export function refsVersion(refs: readonly GitRef[]): string {
  const hash = createHash('sha256');
  for (const ref of refs) hash.update(`${ref.name} ${ref.oid}\n`);
  return hash.digest('hex');
}

/** The package path relative to `directory`, or undefined when `pkg` lies outside it. */
function relativePackage(pkg: string, directory: string): string | undefined {
  if (directory === '') return pkg === '' ? undefined : pkg;
  return pkg.startsWith(`${directory}/`) ? pkg.slice(directory.length + 1) : undefined;
}

/** `<pkgpath>/<last>` split at the last slash. */
function splitLast(rest: string): [string, string] | undefined {
  const slash = rest.lastIndexOf('/');
  if (slash <= 0 || slash === rest.length - 1) return undefined;
  return [rest.slice(0, slash), rest.slice(slash + 1)];
}

/**
 * Package directories (relative to `directory`) on `commit`: directories holding a Kptfile,
 * minus those nested inside another package (a nested Kptfile is a subpackage, §5.1).
 */
export async function findPackages(
  mirror: GitMirror,
  commit: string,
  directory: string,
  signal?: AbortSignal,
): Promise<string[]> {
  const kptfiles = await mirror.findFiles(commit, 'Kptfile', signal ? { directory, signal } : { directory });
  const dirs = kptfiles
    .map((f) => f.path.slice(0, Math.max(0, f.path.lastIndexOf('/'))))
    .filter((d) => d !== '')
    .sort();
  const packages: string[] = [];
  for (const dir of dirs) {
    const parent = packages[packages.length - 1];
    // Sorted order puts a parent right before its children ('a' < 'a/b' < 'a-b').
    if (parent !== undefined && dir.startsWith(`${parent}/`)) continue;
    packages.push(dir);
  }
  return packages;
}

/**
 * Every revision the refs describe. `refs` is the mirror's full listing — or, with `only`, the
 * listing of that package's refs and the branch, and only that package's revisions are returned.
 */
export async function discoverRevisions(
  mirror: GitMirror,
  refs: readonly GitRef[],
  config: LayoutConfig,
  signal?: AbortSignal,
  only?: string,
): Promise<RevisionRecord[]> {
  const { branch, directory } = config;
  type Pending = Omit<RevisionRecord, 'updated' | 'task'> & { fromTrailer: boolean };
  const pending: Pending[] = [];
  const deletionProposed = new Set<string>();
  let head: string | undefined;

  for (const ref of refs) {
    const target = ref.peeled ?? ref.oid;
    if (ref.name === `refs/heads/${branch}`) {
      head = target;
    } else if (ref.name.startsWith('refs/heads/')) {
      const short = ref.name.slice('refs/heads/'.length);
      const slash = short.indexOf('/');
      const kind = short.slice(0, slash);
      const parts = splitLast(short.slice(slash + 1));
      if (slash < 0 || parts === undefined) continue;
      const [pkg, last] = parts;
      const packagePath = relativePackage(pkg, directory);
      if (packagePath === undefined) continue;
      if (kind === 'deletionProposed') {
        deletionProposed.add(shortRef.tag(pkg, Number(last.replace(/^v/, ''))));
      } else if (kind === 'drafts' || kind === 'proposed') {
        pending.push({
          packagePath,
          workspaceName: last,
          revision: 0,
          lifecycle: kind === 'drafts' ? 'Draft' : 'Proposed',
          commit: target,
          ref: short,
          fromTrailer: false,
        });
      }
    } else if (ref.name.startsWith('refs/tags/')) {
      const parts = splitLast(ref.name.slice('refs/tags/'.length));
      const match = parts === undefined ? null : /^v([1-9][0-9]{0,8})$/.exec(parts[1]);
      if (parts === undefined || match === null) continue;
      const packagePath = relativePackage(parts[0], directory);
      if (packagePath === undefined) continue;
      const revision = Number(match[1]);
      pending.push({
        packagePath,
        workspaceName: `v${revision}`,
        revision,
        lifecycle: 'Published',
        commit: target,
        ref: shortRef.tag(parts[0], revision),
        fromTrailer: true,
      });
    }
  }

  if (only !== undefined) pending.splice(0, pending.length, ...pending.filter((p) => p.packagePath === only));
  const oids = [...new Set([...pending.map((p) => p.commit), ...(head === undefined ? [] : [head])])];
  // One pipelined round over the batch reader; a ref to a non-commit (a tag of a tree) is skipped.
  const commits = new Map<string, CommitInfo>();
  await Promise.all(
    oids.map(async (oid) => {
      try {
        commits.set(oid, await mirror.readCommit(oid, signal));
      } catch {
        // Not a commit: no revision.
      }
    }),
  );

  const revisions: RevisionRecord[] = [];
  for (const { fromTrailer, ...p } of pending) {
    const commit = commits.get(p.commit);
    if (commit === undefined) continue;
    const pkg = fullPackagePath(directory, p.packagePath);
    const trailer = readKptTrailer(commit.message);
    const ours = trailer?.package === pkg ? trailer : undefined;
    const record: RevisionRecord = { ...p, updated: rfc3339(commit.committer.date) };
    if (ours?.task !== undefined) record.task = ours.task;
    if (fromTrailer && ours !== undefined && ours.workspaceName !== '')
      record.workspaceName = ours.workspaceName;
    if (record.lifecycle === 'Published' && deletionProposed.has(record.ref))
      record.lifecycle = 'DeletionProposed';
    revisions.push(record);
  }

  const headCommit = head === undefined ? undefined : commits.get(head);
  if (head !== undefined && headCommit !== undefined) {
    const onHead =
      only === undefined
        ? await findPackages(mirror, head, directory, signal)
        : (await mirror.entryAt(head, `${fullPackagePath(directory, only)}/Kptfile`, signal))
          ? [only]
          : [];
    for (const packagePath of onHead) {
      revisions.push({
        packagePath,
        workspaceName: branch,
        revision: -1,
        lifecycle: 'Published',
        commit: head,
        ref: branch,
        updated: rfc3339(headCommit.committer.date),
      });
    }
  }
  return revisions;
}
