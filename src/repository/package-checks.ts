/** Preconditions of creating a draft that need the repository's content (porch.md §5.1, §2.3). */
import { InvalidError } from '../apimachinery/index.js';
import type { GitMirror } from '../git/index.js';
import { validatePackagePaths } from '../krm/index.js';

import { discoverRevisions, findPackages } from './discovery.js';
import type { LayoutConfig } from './discovery.js';
import { fullPackagePath } from './git-layout.js';
import type { RefMap } from './leased-write.js';

/** Throws InvalidError when a file path of the package is unsafe (absolute, `..`, control chars…). */
export function validateFiles(packagePath: string, files: ReadonlyMap<string, string>): void {
  const causes = validatePackagePaths(files);
  if (causes.length > 0) {
    throw new InvalidError(
      { group: 'porch.kpt.dev', kind: 'PackageRevisionResources', name: packagePath },
      causes,
    );
  }
}

/** Workspaces of the published revisions of `pkg` (full path), from the tags' commit trailers. */
export async function publishedWorkspaces(
  mirror: GitMirror,
  config: LayoutConfig,
  refs: RefMap,
  pkg: string,
  signal?: AbortSignal,
): Promise<Set<string>> {
  const published = [...refs.values()].filter((r) => r.name.startsWith(`refs/tags/${pkg}/v`));
  const records = await discoverRevisions(mirror, published, config, signal);
  return new Set(records.map((r) => r.workspaceName));
}

/**
 * Porch: "Package path cannot be parent or child of existing package". An existing package may
 * hold subpackages; only a new package must not enclose packages.
 */
export async function assertNotNested(
  mirror: GitMirror,
  directory: string,
  head: string,
  packagePath: string,
  signal?: AbortSignal,
): Promise<void> {
  const full = (p: string) => fullPackagePath(directory, p);
  const segments = packagePath.split('/');
  const ancestors = segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join('/'));
  const checks = ancestors.map(async (a) =>
    (await mirror.entryAt(head, `${full(a)}/Kptfile`, signal)) ? a : undefined,
  );
  const parent = (await Promise.all(checks)).find((a) => a !== undefined);
  const exists = (await mirror.entryAt(head, `${full(packagePath)}/Kptfile`, signal)) !== undefined;
  const children = exists ? [] : await findPackages(mirror, head, full(packagePath), signal);
  const other = parent ?? (children[0] === undefined ? undefined : `${packagePath}/${children[0]}`);
  if (other !== undefined) {
    throw new InvalidError({ group: 'porch.kpt.dev', kind: 'PackageRevision', name: packagePath }, [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.packageName',
        message: `package path "${packagePath}" cannot be parent or child of existing package "${other}"`,
      },
    ]);
  }
}
