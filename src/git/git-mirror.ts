/**
 * One bare mirror of one remote, in a directory of ours. `fetch` makes the mirror's branches and
 * tags exactly the remote's (same ref names, pruned); reads go through one long-lived
 * `cat-file --batch` (commits and trees also through a shared in-memory cache); objects are
 * written in-process as loose objects (no work tree, no index); refs are kept in memory; `push`
 * is atomic with a lease per ref, spoken in-process over smart HTTP when it can be.
 *
 * Concurrency: reads may run at any time, also during a fetch. Fetch, ref updates and pushes
 * must not overlap on one mirror: callers wrap their fetch → commit → push sequences in
 * `RepositoryQueue.withLock(mirror.dir, …)`. Local refs that were never pushed are removed by the
 * next fetch — the mirror reflects the remote, it is not a place to keep state.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CatFileBatch } from './cat-file-batch.js';
import { GitError } from './errors.js';
import { commitTree } from './commit-tree.js';
import type { CommitTreeOptions } from './commit-tree.js';
import { remoteAccess } from './credentials.js';
import type { GitCredentials, RemoteAccess } from './credentials.js';
import { prepareGitHome } from './git-home.js';
import { LooseObjectWriter } from './loose-objects.js';
import { LooseRefWriter } from './loose-refs.js';
import { ObjectReader } from './object-reader.js';
import type { FileEntry, ListOptions } from './object-reader.js';
import type { CommitInfo, TreeEntry } from './objects.js';
import { HttpPusher } from './http-push.js';
import { pushRefs } from './push.js';
import type { PushedRef, PushUpdate } from './push.js';
import { RefCache } from './ref-cache.js';
import { assertRefName, listRefs, updateRefs } from './refs.js';
import type { GitRef, LocalRefUpdate } from './refs.js';
import { runGit } from './run-git.js';
import type { GitEnvironmentOptions, RunGitOptions } from './run-git.js';
import { writeTree } from './tree-writer.js';
import type { TreeChanges, WriteTreeOptions } from './tree-writer.js';

export interface GitMirrorOptions {
  /** For http(s) remotes; may also be embedded in the URL's userinfo (it is moved out). */
  credentials?: GitCredentials;
  /** Private HOME for git children; default `<dir>/lading-home` (inside the bare repo, ignored by git). */
  home?: string;
  /** Timeout of fetch and push (default 10 min); local commands use 2 min. */
  networkTimeoutMs?: number;
  /**
   * How pushes to http(s) remotes travel: spoken by Lading itself (default), or by the git CLI
   * (always used for other remotes, and as the fallback when the server refuses ours).
   */
  httpPush?: 'in-process' | 'git';
  signal?: AbortSignal;
}

export interface FetchOptions {
  /** Remove local refs the remote no longer has (default true; only within `refspecs`). */
  prune?: boolean;
  /**
   * Fetch only these refspecs (e.g. one package's branches and tags) instead of every branch and
   * tag; with protocol v2 the remote then advertises only the matching refs.
   */
  refspecs?: readonly string[];
  signal?: AbortSignal;
}

const FETCH_REFSPECS = ['+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'];
// A detached background gc could outlive our operation (and a test's temp dir).
const MIRROR_CONFIG: Array<readonly [string, string]> = [['gc.autoDetach', 'false']];

export class GitMirror {
  private access: RemoteAccess;
  private readonly batch: CatFileBatch;
  private readonly reader: ObjectReader;
  private readonly writer: LooseObjectWriter;
  private readonly refs: RefCache;
  private readonly refWriter: LooseRefWriter;
  private pusher: HttpPusher;
  private readonly environment: GitEnvironmentOptions & { gitDir: string };

  private constructor(
    /** The bare repository directory. */
    readonly dir: string,
    private readonly remoteUrl: string,
    private readonly home: string,
    credentials: GitCredentials | undefined,
    private readonly networkTimeoutMs: number,
    private readonly httpPushMode: 'in-process' | 'git',
  ) {
    this.access = remoteAccess(remoteUrl, credentials, home);
    this.environment = { home, gitDir: dir, config: MIRROR_CONFIG };
    this.batch = new CatFileBatch(this.environment);
    this.reader = new ObjectReader(this.batch);
    this.writer = new LooseObjectWriter(dir);
    this.refs = new RefCache((signal) => listRefs(this.local(signal)));
    this.refWriter = new LooseRefWriter(dir);
    this.pusher = new HttpPusher(this.access.url);
  }

  /** Opens the mirror in `dir`, creating the bare repository if needed. Does not fetch. */
  static async open(dir: string, remoteUrl: string, options: GitMirrorOptions = {}): Promise<GitMirror> {
    const absolute = path.resolve(dir);
    // Keeping HOME inside the mirror leaves nothing behind in temp dirs, whatever way we exit.
    const home = await prepareGitHome(options.home ?? path.join(absolute, 'lading-home'));
    if (!fs.existsSync(path.join(absolute, 'HEAD'))) {
      await runGit(['init', '--bare', '--quiet', '--initial-branch=main', absolute], {
        home,
        ...signalOf(options.signal),
      });
    }
    const remote = localRemote(remoteUrl);
    return new GitMirror(
      absolute,
      remote,
      home,
      options.credentials,
      options.networkTimeoutMs ?? 600_000,
      options.httpPush ?? 'in-process',
    );
  }

  /**
   * Removes ref lock files (`*.lock` under `refs/`, `packed-refs.lock`) left by a process killed in the
   * middle of a ref update; git refuses to touch a locked ref until they are gone. Call it only
   * while holding the mirror's queue lock, when no write can be in flight.
   */
  async removeStaleLocks(): Promise<void> {
    const locks = [path.join(this.dir, 'packed-refs.lock')];
    const walk = async (dir: string): Promise<void> => {
      const entries = await fs.promises.readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full);
        else if (entry.name.endsWith('.lock')) locks.push(full);
      }
    };
    await walk(path.join(this.dir, 'refs'));
    await Promise.all(locks.map((lock) => fs.promises.rm(lock, { force: true })));
  }

  /** The remote URL without credentials: safe to log. */
  get url(): string {
    return this.access.url;
  }

  /** Replaces the credentials (e.g. after a Secret changed); applies to the next network command. */
  setCredentials(credentials: GitCredentials | undefined): void {
    this.access = remoteAccess(this.remoteUrl, credentials, this.home);
    this.pusher = new HttpPusher(this.access.url);
  }

  /** Makes local branches and tags exactly the remote's. Throws `GitAuthenticationError` on 401/403. */
  async fetch(options: FetchOptions = {}): Promise<void> {
    const args = ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', '--no-recurse-submodules'];
    if (options.prune !== false) args.push('--prune');
    const refspecs = options.refspecs ?? FETCH_REFSPECS;
    this.refs.invalidate();
    try {
      await runGit([...args, '--', this.access.url, ...refspecs], this.network(options.signal));
      // A full fetch writes each new ref as a loose file; thousands of them make every later ref
      // read and push slow, so they go into packed-refs (cheap when few are loose).
      if (options.refspecs === undefined)
        await runGit(['pack-refs', '--all', '--prune'], this.local(options.signal));
    } finally {
      this.refs.invalidate();
    }
  }

  /**
   * Local refs, sorted by name: all, those starting with `prefix`, or (an array) those under any of
   * the given full path-component prefixes (`refs/tags/web` matches `refs/tags/web/v1`, not
   * `refs/tags/web2/v1`).
   */
  listRefs(prefix?: string | readonly string[], signal?: AbortSignal): Promise<GitRef[]> {
    return this.refs.list(prefix, signal);
  }

  /** The oid of a full ref name, or undefined when the ref does not exist. */
  async resolve(ref: string, signal?: AbortSignal): Promise<string | undefined> {
    assertRefName(ref);
    return (await this.refs.get(ref, signal))?.oid;
  }

  /**
   * The commit a revision names (a full ref, or a full or abbreviated commit id; annotated tags
   * are peeled), or undefined when it names no commit.
   */
  async commitOf(revision: string, signal?: AbortSignal): Promise<string | undefined> {
    if (revision.startsWith('-')) return undefined;
    try {
      const { stdout } = await runGit(
        ['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`],
        this.local(signal),
      );
      return stdout.toString('utf8').trim() || undefined;
    } catch (err) {
      if (signal?.aborted) throw err;
      return undefined;
    }
  }

  readBlob(oid: string, signal?: AbortSignal): Promise<Buffer> {
    return this.reader.readBlob(oid, signal);
  }

  readTree(oid: string, signal?: AbortSignal): Promise<TreeEntry[]> {
    return this.reader.readTree(oid, signal);
  }

  readCommit(oid: string, signal?: AbortSignal): Promise<CommitInfo> {
    return this.reader.readCommit(oid, signal);
  }

  /** The tree oid of a commit (or tag), or the tree itself. */
  treeOf(commitOrTree: string, signal?: AbortSignal): Promise<string> {
    return this.reader.treeOf(commitOrTree, signal);
  }

  entryAt(commitOrTree: string, filePath: string, signal?: AbortSignal): Promise<TreeEntry | undefined> {
    return this.reader.entryAt(commitOrTree, filePath, signal);
  }

  readFile(commitOrTree: string, filePath: string, signal?: AbortSignal): Promise<Buffer | undefined> {
    return this.reader.readFile(commitOrTree, filePath, signal);
  }

  /** Files under `options.directory`, recursively; paths relative to that directory. */
  listFiles(commitOrTree: string, options?: ListOptions): Promise<FileEntry[]> {
    return this.reader.listFiles(commitOrTree, options);
  }

  readFiles(commitOrTree: string, options?: ListOptions): Promise<Map<string, Buffer>> {
    return this.reader.readFiles(commitOrTree, options);
  }

  /** Files named `name` (e.g. `Kptfile`) under the directory; paths relative to that directory. */
  findFiles(commitOrTree: string, name: string, options?: ListOptions): Promise<FileEntry[]> {
    return this.reader.findFiles(commitOrTree, name, options);
  }

  /** See `writeTree` in tree-writer.ts: rewrites only the trees on changed paths. */
  writeTree(base: string | undefined, changes: TreeChanges, options?: WriteTreeOptions): Promise<string> {
    return writeTree(this.reader, this.writer, base, changes, options);
  }

  commitTree(options: CommitTreeOptions): string {
    return commitTree(options, this.writer);
  }

  /**
   * Sets a local ref if it is at `expectedOldOid` (null: must not exist); throws
   * `GitRefConflictError` otherwise. Tags are lightweight: `refs/tags/<pkg>/v<N>` → commit.
   */
  updateRef(ref: string, newOid: string, expectedOldOid: string | null, signal?: AbortSignal): Promise<void> {
    return this.updateRefs([{ ref, newOid, expectedOldOid }], signal);
  }

  /** Deletes a local ref if it is at `expectedOldOid`; throws `GitRefConflictError` otherwise. */
  deleteRef(ref: string, expectedOldOid: string, signal?: AbortSignal): Promise<void> {
    return this.updateRefs([{ ref, newOid: null, expectedOldOid }], signal);
  }

  /** Several local ref updates in one transaction (all or none). */
  async updateRefs(updates: readonly LocalRefUpdate[], signal?: AbortSignal): Promise<void> {
    try {
      // Values without an old-value check are facts (what the remote now has): no git needed.
      const known = updates.every((u) => u.expectedOldOid === undefined);
      if (!(known && this.writeKnownRefs(updates))) await updateRefs(updates, this.local(signal));
      this.refs.apply(updates);
    } catch (err) {
      this.refs.invalidate();
      throw err;
    }
  }

  /** Writes ref values without git; false when git has to (a packed ref to delete, an I/O error). */
  private writeKnownRefs(updates: readonly LocalRefUpdate[]): boolean {
    try {
      return this.refWriter.write(updates);
    } catch {
      return false;
    }
  }

  /**
   * Pushes all updates atomically, each guarded by its expected remote value. On success the
   * mirror's refs are set to what the remote now has; on `GitPushRejectedError` nothing changed
   * anywhere — fetch, rebuild and retry.
   */
  async push(updates: readonly PushUpdate[], options: { signal?: AbortSignal } = {}): Promise<PushedRef[]> {
    const pushed = await this.pushToRemote(updates, options.signal);
    await this.updateRefs(
      updates.map(({ ref, newOid }) => ({ ref, newOid })),
      options.signal,
    );
    return pushed;
  }

  /**
   * Over http(s) the push is spoken in-process with the objects this mirror wrote since the last
   * push. The git CLI pushes instead when the remote is not http(s), when a proxy is set (git
   * honours it, node's HTTP client does not), and whenever the in-process push could not be made
   * (no answer, a redirect, TLS trust only git has, an incomplete pack): then git's own answer is
   * the one reported.
   */
  private async pushToRemote(
    updates: readonly PushUpdate[],
    signal: AbortSignal | undefined,
  ): Promise<PushedRef[]> {
    const objects = this.writer.take();
    const headers = this.access.headers;
    if (headers !== undefined && this.httpPushMode === 'in-process' && !proxyConfigured()) {
      try {
        return await this.pusher.push(updates, objects, {
          headers,
          secrets: this.access.secrets,
          timeoutMs: this.networkTimeoutMs,
          ...signalOf(signal),
        });
      } catch (err) {
        if (!(err instanceof GitError) || err.failure !== 'protocol') throw err;
      }
    }
    return pushRefs(this.access.url, updates, this.network(signal));
  }

  /** Stops the batch reader. The mirror directory stays; open it again to continue. */
  close(): Promise<void> {
    return this.batch.close();
  }

  private local(signal: AbortSignal | undefined): RunGitOptions {
    return { ...this.environment, ...signalOf(signal) };
  }

  private network(signal: AbortSignal | undefined): RunGitOptions {
    return {
      ...this.environment,
      config: [...MIRROR_CONFIG, ...this.access.config],
      env: this.access.env,
      secrets: this.access.secrets,
      timeoutMs: this.networkTimeoutMs,
      ...signalOf(signal),
    };
  }
}

/** A proxy git would use for http(s), which node's HTTP client would not. */
function proxyConfigured(): boolean {
  return PROXY_VARIABLES.some((name) => (process.env[name] ?? '') !== '');
}

const PROXY_VARIABLES = ['http_proxy', 'https_proxy', 'all_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'];

/** git runs inside the mirror, so a relative local path must be made absolute first. */
function localRemote(url: string): string {
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(url);
  const isScpLike = /^[^/]*:/.test(url); // user@host:path (ssh)
  return isUrl || isScpLike ? url : path.resolve(url);
}

function signalOf(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
