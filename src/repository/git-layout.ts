/**
 * Porch's git layout (porch.md §5): ref names per lifecycle, the `kpt:` commit trailer, commit
 * messages, and validation of the names that end up in refs. Pure functions.
 */
import { BadRequestError, InvalidError, fieldError } from '../apimachinery/index.js';
import type { StatusCause } from '../apimachinery/index.js';
import { assertRefName } from '../git/index.js';
import type { GitIdentity } from '../git/index.js';
import { validatePackagePaths } from '../krm/index.js';

import type { Lifecycle, RevisionRecord } from './repository.js';

export const DEFAULT_AUTHOR: GitIdentity = { name: 'Package Orchestration Service', email: 'porch@kpt.dev' };

const TARGET = { group: 'porch.kpt.dev', kind: 'PackageRevision' };
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** `<directory>/<packagePath>` without leading or trailing slashes. */
export function fullPackagePath(directory: string, packagePath: string): string {
  return directory === '' ? packagePath : `${directory}/${packagePath}`;
}

/** Short refs (without `refs/heads/` or `refs/tags/`). */
export const shortRef = {
  draft: (pkg: string, ws: string) => `drafts/${pkg}/${ws}`,
  proposed: (pkg: string, ws: string) => `proposed/${pkg}/${ws}`,
  tag: (pkg: string, revision: number) => `${pkg}/v${revision}`,
  deletionProposed: (pkg: string, revision: number) => `deletionProposed/${pkg}/v${revision}`,
};

export const heads = (short: string): string => `refs/heads/${short}`;

/**
 * The refs one package's revisions live on, plus the registered branch: what a write to the
 * package or a refresh of it needs to fetch and list (never the other packages' refs).
 */
export function packageScope(pkg: string, branch: string): { refspecs: string[]; patterns: string[] } {
  const patterns = [
    heads(branch),
    heads(`drafts/${pkg}`),
    heads(`proposed/${pkg}`),
    heads(`deletionProposed/${pkg}`),
    `refs/tags/${pkg}`,
  ];
  const refspecs = patterns.map((p, i) => (i === 0 ? `+${p}:${p}` : `+${p}/*:${p}/*`));
  return { refspecs, patterns };
}
export const tags = (short: string): string => `refs/tags/${short}`;

/** The full ref that currently carries `rev` (the tag for published and deletion-proposed). */
export function refOf(rev: RevisionRecord, directory: string, branch: string): string {
  const pkg = fullPackagePath(directory, rev.packagePath);
  if (rev.revision === -1) return heads(branch);
  switch (rev.lifecycle) {
    case 'Draft':
      return heads(shortRef.draft(pkg, rev.workspaceName));
    case 'Proposed':
      return heads(shortRef.proposed(pkg, rev.workspaceName));
    case 'Published':
    case 'DeletionProposed':
      return tags(shortRef.tag(pkg, rev.revision));
  }
}

/** Throws InvalidError unless the package path and workspace name can name refs and directories. */
export function validateNames(packagePath: string, workspaceName: string, directory: string): void {
  const causes: StatusCause[] = [];
  for (const cause of validatePackagePaths([packagePath])) {
    causes.push({ ...cause, field: 'spec.packageName' });
  }
  if (packagePath.endsWith('/') || packagePath.split('/').some((s) => s === '' || s === '.')) {
    causes.push(
      fieldError.invalid('spec.packageName', packagePath, 'must not contain empty or "." segments'),
    );
  }
  if (workspaceName.length > 63 || !DNS1123_LABEL.test(workspaceName)) {
    causes.push(
      fieldError.invalid(
        'spec.workspaceName',
        workspaceName,
        'must be a DNS-1123 label: at most 63 lowercase letters, digits or "-", starting and ending with a letter or digit',
      ),
    );
  }
  if (causes.length === 0) {
    try {
      assertRefName(heads(shortRef.draft(fullPackagePath(directory, packagePath), workspaceName)));
    } catch (err) {
      causes.push(fieldError.invalid('spec.packageName', packagePath, 'cannot be used in a git ref name'));
      throw new InvalidError({ ...TARGET, name: packagePath }, causes, { cause: err });
    }
  }
  if (causes.length > 0) throw new InvalidError({ ...TARGET, name: packagePath }, causes);
}

/** Throws BadRequestError unless `rev` is in one of the `allowed` lifecycles. */
export function requireLifecycle(rev: RevisionRecord, allowed: readonly Lifecycle[], action: string): void {
  if (rev.revision === -1 && action !== 'delete') {
    throw new BadRequestError(`cannot ${action} the placeholder revision of package "${rev.packagePath}"`);
  }
  if (!allowed.includes(rev.lifecycle)) {
    throw new BadRequestError(
      `cannot ${action} package revision "${rev.packagePath}/${rev.workspaceName}" with lifecycle ` +
        `${rev.lifecycle}; it must be ${allowed.join(' or ')}`,
    );
  }
}

export interface KptTrailer {
  package: string;
  workspaceName: string;
  revision: string;
  task?: unknown;
}

/** `message`, a blank line and the `kpt:` trailer, byte for byte as Porch writes it (§5.3). */
export function withKptTrailer(message: string, trailer: KptTrailer): string {
  const value: KptTrailer = {
    package: trailer.package,
    workspaceName: trailer.workspaceName,
    revision: trailer.revision,
  };
  if (trailer.task !== undefined) value.task = trailer.task;
  return `${message.replace(/\s+$/, '')}\n\nkpt:${JSON.stringify(value)}\n`;
}

/** The last parseable `kpt:` line of a message (Porch's readers scan every line), or undefined. */
export function readKptTrailer(message: string): KptTrailer | undefined {
  let found: KptTrailer | undefined;
  for (const line of message.split('\n')) {
    if (!line.startsWith('kpt:')) continue;
    try {
      const value: unknown = JSON.parse(line.slice(4));
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const v = value as Record<string, unknown>;
        if (typeof v.package === 'string' && typeof v.workspaceName === 'string') {
          found = {
            package: v.package,
            workspaceName: v.workspaceName,
            revision:
              typeof v.revision === 'string' || typeof v.revision === 'number' ? String(v.revision) : '',
            ...(v.task === undefined ? {} : { task: v.task }),
          };
        }
      }
    } catch {
      // Not Porch's trailer (or a hand-written one that is broken): ignore it, as Porch does.
    }
  }
  return found;
}

/** Porch's first line of a commit message for a task (§5.3). */
export function commitMessageFor(task: unknown): string {
  const type = typeof task === 'object' && task !== null ? (task as Record<string, unknown>).type : undefined;
  switch (type) {
    case 'init':
      return 'Creating new empty revision';
    case 'clone':
      return 'Creating new revision by cloning';
    case 'edit':
      return 'Creating new revision by copying previous revision';
    case 'upgrade':
      return 'Upgrading revision';
    case 'render':
      return 'Rendering package';
    case undefined:
    case '':
      return 'Intermediate commit';
    default:
      return `Intermediate commit: ${String(type)}`;
  }
}

/** RFC 3339 in UTC, seconds precision (what git stores). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
