/**
 * `validate` and `tree` of a Package Operator package: structure, manifest and config schema,
 * lock file, template tests against `.test-fixtures/`, static object checks; and the objects the
 * package deploys, by phase, for a given scope and config.
 */
import { validateConfig } from './config-schema.js';
import { checkLock, type PackageManifest } from './manifest.js';
import { renderPackage, STATIC_TEST_IMAGE, templateContext, type PackageObject } from './package-render.js';
import type { PackageFileMap } from './package-source.js';
import { loadPackage, selectComponent, type LoadedPackage } from './package-structure.js';
import { runTemplateTests } from './template-test.js';
import { PackageViolationError, formatCauses } from './violation.js';

export interface TestCaseReport {
  component: string;
  name: string;
  objects: number;
  /** Fixture mismatches in Package Operator's wording. */
  mismatches: string[];
  hasFixtures: boolean;
}

export interface ValidationReport {
  name: string;
  components: string[];
  testCases: TestCaseReport[];
  /** Objects in static (non-template) files checked when a package has no test cases. */
  staticObjects: number;
}

function staticFiles(files: PackageFileMap): PackageFileMap {
  return new Map([...files].filter(([p]) => !p.endsWith('.gotmpl')));
}

function validateOne(
  pkg: LoadedPackage,
  all: PackageFileMap,
  component: string,
  report: ValidationReport,
): void {
  checkLock(
    pkg.manifest,
    pkg.lock,
    component ? `components/${component}/manifest.lock.yaml` : 'manifest.lock.yaml',
  );
  const prefix = component ? `components/${component}/` : '';
  const results = runTemplateTests(pkg, component ? subFiles(all, prefix) : all, component || undefined);
  for (const r of results) {
    report.testCases.push({
      component,
      name: r.name,
      objects: r.rendered.objects.length,
      mismatches: r.mismatches.map((m) =>
        prefix ? m.replace(/ in \.test-fixtures/, ` in ${prefix}.test-fixtures`) : m,
      ),
      hasFixtures: r.hasFixtures,
    });
  }
  if (results.length === 0) {
    const rendered = renderPackage(
      staticFiles(pkg.files),
      pkg.manifest,
      templateContext({}),
      component ? { component } : {},
    );
    report.staticObjects += rendered.objects.length;
  }
}

function subFiles(all: PackageFileMap, prefix: string): PackageFileMap {
  return new Map([...all].filter(([p]) => p.startsWith(prefix)).map(([p, b]) => [p.slice(prefix.length), b]));
}

/**
 * Validates the package in `files` (a folder's files, dot-folders included so fixtures are found).
 * Throws PackageViolationError for the first structural, manifest, lock, template or object problem;
 * fixture mismatches are reported in the result (the caller decides whether they fail).
 */
export function validatePackage(files: PackageFileMap): ValidationReport {
  const pkg = loadPackage(files);
  const report: ValidationReport = {
    name: pkg.manifest.metadata.name,
    components: [...pkg.components.keys()].sort(),
    testCases: [],
    staticObjects: 0,
  };
  validateOne(pkg, files, '', report);
  for (const [name, component] of pkg.components) validateOne(component, files, name, report);
  return report;
}

export interface TreeOptions {
  /** Render as a ClusterPackage (namespace ""); default a Package in namespace "namespace". */
  cluster?: boolean;
  /** Config to admit through the schema (from `--config-path`). */
  config?: Record<string, unknown>;
  /** Use the context of this `test.template[]` case. */
  testCase?: string;
  component?: string;
}

export interface PackageTree {
  name: string;
  kind: 'Package' | 'ClusterPackage';
  namespace: string;
  instance: string;
  phases: { name: string; objects: PackageObject[] }[];
}

/**
 * What the package deploys, by phase, as `kubectl package tree` shows it: templates rendered with
 * the test case's or the given config, objects filtered by CEL, empty phases dropped.
 */
export function packageTree(files: PackageFileMap, options: TreeOptions = {}): PackageTree {
  if (options.config !== undefined && options.testCase !== undefined) {
    throw new PackageViolationError('Invalid arguments', {
      details: 'give either a config file or a test case, not both',
    });
  }
  const pkg = selectComponent(loadPackage(files), options.component);
  const manifest: PackageManifest = pkg.manifest;
  let metadata: Record<string, unknown> = { name: 'name', namespace: 'namespace' };
  let config: Record<string, unknown> = options.config ?? {};
  let environment: Record<string, unknown> | undefined;
  if (options.testCase !== undefined) {
    const test = manifest.test?.template?.find((t) => t.name === options.testCase);
    if (!test) {
      throw new PackageViolationError('Test case not found', {
        details: `"${options.testCase}"; the manifest has ${(manifest.test?.template ?? []).map((t) => `"${t.name}"`).join(', ') || 'no test cases'}`,
      });
    }
    metadata = { ...metadata, ...(test.context?.package?.metadata ?? {}) };
    config = test.context?.config ?? {};
    environment = test.context?.environment;
  }
  if (options.cluster) metadata = { ...metadata, namespace: '' };
  const admitted = validateConfig(manifest.spec.config?.openAPIV3Schema, config, 'config');
  if (admitted.causes.length > 0) {
    throw new PackageViolationError('Invalid config', {
      details: formatCauses(admitted.causes),
      causes: admitted.causes,
    });
  }
  const locked = new Map((pkg.lock?.spec.images ?? []).map((i) => [i.name, i]));
  const images = Object.fromEntries(
    (manifest.spec.images ?? []).map((i) => {
      const l = locked.get(i.name);
      return [i.name, l ? `${l.image.replace(/[:@].*$/, '')}@${l.digest}` : STATIC_TEST_IMAGE];
    }),
  );
  const context = templateContext({
    metadata,
    config: admitted.config,
    images,
    ...(environment ? { environment } : {}),
  });
  const rendered = renderPackage(
    pkg.files,
    manifest,
    context,
    options.component ? { component: options.component } : {},
  );
  const phases = manifest.spec.phases
    .map((p) => ({ name: p.name, objects: rendered.objects.filter((o) => o.phase === p.name) }))
    .filter((p) => p.objects.length > 0);
  return {
    name: options.component ?? manifest.metadata.name,
    kind: options.cluster ? 'ClusterPackage' : 'Package',
    namespace: String(context.package.metadata.namespace),
    instance: String(context.package.metadata.name),
    phases,
  };
}

function gvk(object: Record<string, unknown>): string {
  const apiVersion = scalar(object.apiVersion);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return `${group ?? ''}/${version ?? ''}, Kind=${scalar(object.kind)}`;
}

/** The tree in `kubectl package tree`'s layout. */
export function formatTree(tree: PackageTree): string {
  const lines = [tree.name, `${tree.kind} ${tree.namespace}/${tree.instance}`];
  tree.phases.forEach((phase, i) => {
    const last = i === tree.phases.length - 1;
    lines.push(`└── Phase ${phase.name}`);
    for (const o of phase.objects) {
      const meta = (o.object.metadata ?? {}) as Record<string, unknown>;
      const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
      lines.push(`${last ? '    └── ' : '│   ├── '}${gvk(o.object)} ${ns}/${scalar(meta.name)}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

/** A scalar field as text ('' when absent, JSON for anything that is not a string). */
function scalar(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === undefined || v === null ? '' : JSON.stringify(v);
}
