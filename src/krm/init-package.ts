/** A new package as `kpt pkg init` (and Porch's init task) creates it. */
import { formatKptfile, newKptfile, type NewKptfileOptions } from './kptfile-format.js';
import { KPTFILE } from './package-files.js';
import { PACKAGE_CONTEXT_FILE, packageContextFile } from './package-context.js';

/** kpt's README.md template for a new package. */
export function packageReadme(name: string, description: string): string {
  return `# ${name}

## Description
${description}

## Usage

### Fetch the package
\`kpt pkg get REPO_URI[.git]/PKG_PATH[@VERSION] ${name}\`
Details: https://kpt.dev/reference/cli/pkg/get/

### View package content
\`kpt pkg tree ${name}\`
Details: https://kpt.dev/reference/cli/pkg/tree/

### Apply the package
\`\`\`
kpt live init ${name}
kpt live apply ${name} --reconcile-timeout=2m --output=table
\`\`\`
Details: https://kpt.dev/reference/cli/live/
`;
}

/**
 * The files `kpt pkg init` writes: the Kptfile (lists compact, as init writes them), a README.md and
 * a `package-context.yaml` whose `data.name` is kpt's placeholder `example` (the real name is set when
 * the package is fetched for deployment).
 */
export function initPackage(options: NewKptfileOptions): Map<string, string> {
  const kptfile = newKptfile(options);
  return new Map([
    [KPTFILE, formatKptfile(kptfile, 'compact')],
    ['README.md', packageReadme(options.name, kptfile.info?.description ?? '')],
    [PACKAGE_CONTEXT_FILE, packageContextFile({ name: 'example' })],
  ]);
}
