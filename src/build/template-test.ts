/**
 * Package Operator's template tests (`test.template[]` in the manifest): each case renders the
 * package with its context (config admitted through the schema, every image replaced by
 * `registry.package-operator.run/static-image`) and is compared with `.test-fixtures/<case>/`.
 */
import { validateConfig } from './config-schema.js';
import type { PackageManifestTestCase } from './manifest.js';
import { renderPackage, STATIC_TEST_IMAGE, templateContext, type RenderedPackage } from './package-render.js';
import { fileText, type PackageFileMap } from './package-source.js';
import type { LoadedPackage } from './package-structure.js';
import { PackageViolationError } from './violation.js';

export const TEST_FIXTURES_FOLDER = '.test-fixtures';

export interface TemplateTestResult {
  name: string;
  rendered: RenderedPackage;
  /** Fixture problems, in Package Operator's wording; [] when the case matches. */
  mismatches: string[];
  /** False when `.test-fixtures/<case>/` does not exist yet (Package Operator would write it). */
  hasFixtures: boolean;
}

/** Renders one test case of `pkg`. */
export function renderTestCase(
  pkg: LoadedPackage,
  test: PackageManifestTestCase,
  component?: string,
): RenderedPackage {
  const ctx = test.context ?? {};
  const admitted = validateConfig(pkg.manifest.spec.config?.openAPIV3Schema, ctx.config ?? {}, 'config');
  if (admitted.causes.length > 0) {
    throw new PackageViolationError('Invalid config', {
      details: `test case "${test.name}": ${admitted.causes.map((c) => `${c.field ?? ''}: ${c.message ?? ''}`).join(', ')}`,
    });
  }
  const images = Object.fromEntries((pkg.manifest.spec.images ?? []).map((i) => [i.name, STATIC_TEST_IMAGE]));
  const context = templateContext({
    ...(ctx.package?.metadata ? { metadata: ctx.package.metadata } : {}),
    config: admitted.config,
    images,
    ...(ctx.environment ? { environment: ctx.environment } : {}),
  });
  return renderPackage(pkg.files, pkg.manifest, context, component ? { component } : {});
}

/**
 * Runs every template test of `pkg` against the fixtures held in `allFiles` (the package folder's
 * files including dot-folders). Missing fixture folders count as mismatches here: Lading does not
 * write into the package while validating.
 */
export function runTemplateTests(
  pkg: LoadedPackage,
  allFiles: PackageFileMap,
  component?: string,
): TemplateTestResult[] {
  const results: TemplateTestResult[] = [];
  for (const test of pkg.manifest.test?.template ?? []) {
    const rendered = renderTestCase(pkg, test, component);
    const base = `${TEST_FIXTURES_FOLDER}/${test.name}/`;
    const mismatches: string[] = [];
    const fixtures = [...allFiles.keys()].filter((p) => p.startsWith(base));
    if (fixtures.length > 0) {
      for (const [path, text] of rendered.files) {
        const fixture = allFiles.get(base + path);
        if (fixture === undefined) mismatches.push(`fixture ${base}${path} missing: Testcase "${test.name}"`);
        else if (fileText(base + path, fixture) !== text) {
          mismatches.push(`File mismatch against fixture in ${base}${path}: Testcase "${test.name}"`);
        }
      }
      for (const path of fixtures) {
        if (!rendered.files.has(path.slice(base.length))) {
          mismatches.push(
            `file ${path} should not exist, filtered or empty after template render: Testcase "${test.name}"`,
          );
        }
      }
    }
    results.push({ name: test.name, rendered, mismatches, hasFixtures: fixtures.length > 0 });
  }
  return results;
}
