/**
 * The render outcome recorded in the root Kptfile, as newer kpt writes it: the `Rendered` condition
 * (`RenderSuccess` / `RenderFailed`) and `status.renderStatus` with one entry per function run.
 */
import {
  decodeKptfile,
  setKptfileField,
  upsertCondition,
  type Condition,
  type KrmResource,
  type PipelineStepResult,
  type RenderStatus,
} from '../krm/index.js';
import { orderedResult, type FunctionResultItem } from './function-results.js';
import { displayPackage } from './package-tree.js';
import { PACKAGE_PATH_ANNOTATION, annotationOf } from './render-output.js';

export interface StepRecord {
  validator: boolean;
  item: FunctionResultItem;
}

export type RenderCondition = Condition & {
  type: 'Rendered';
  status: 'True' | 'False';
  reason: string;
};

export function renderCondition(failure: { dir: string; message: string } | undefined): RenderCondition {
  if (!failure) return { type: 'Rendered', status: 'True', reason: 'RenderSuccess' };
  return {
    type: 'Rendered',
    status: 'False',
    reason: 'RenderFailed',
    message: `pkg.render: pkg ${displayPackage(failure.dir)}:\n\tpipeline.run: ${failure.message}`,
  };
}

function stepResult(item: FunctionResultItem): PipelineStepResult {
  const out: PipelineStepResult = {};
  if (item.name) out.name = item.name;
  if (item.image !== undefined) out.image = item.image;
  if (item.exec !== undefined) out.exec = item.exec;
  if (item.executionError) out.executionError = item.executionError;
  if (item.stderr) out.stderr = item.stderr.replace(/\n$/, '');
  out.exitCode = item.exitCode;
  if (item.results?.length) {
    out.results = item.results.map(orderedResult);
    const errors = item.results.filter((r) => r.severity === 'error');
    if (errors.length > 0) out.errorResults = errors.map(orderedResult);
  }
  return out;
}

export function renderStatus(steps: readonly StepRecord[]): RenderStatus {
  const status: RenderStatus = {};
  const mutations = steps.filter((s) => !s.validator).map((s) => stepResult(s.item));
  const validations = steps.filter((s) => s.validator).map((s) => stepResult(s.item));
  if (mutations.length > 0) status.mutationSteps = mutations;
  if (validations.length > 0) status.validationSteps = validations;
  const failed = steps.find((s) => s.item.exitCode !== 0 || s.item.executionError);
  if (failed) {
    const what = failed.item.image ?? failed.item.exec ?? '';
    status.errorSummary = `${what}: ${failed.item.executionError ?? `exit code ${failed.item.exitCode}`}`;
  }
  return status;
}

/** Writes the condition and renderStatus into the root Kptfile among `resources` (if present). */
export function writeKptfileStatus(
  resources: readonly KrmResource[],
  rootOwner: string,
  condition: RenderCondition,
  steps: readonly StepRecord[],
): void {
  const kptfile = resources.find(
    (r) => r.path === 'Kptfile' && (annotationOf(r, PACKAGE_PATH_ANNOTATION) ?? rootOwner) === rootOwner,
  );
  if (!kptfile) return;
  const doc = kptfile.document.doc;
  let current: Condition[] = [];
  try {
    current = decodeKptfile(doc, '', { validate: false }).status?.conditions ?? [];
  } catch {
    // A Kptfile a function made invalid still gets the condition; its old conditions are replaced.
  }
  upsertCondition(doc, condition, current);
  const status = renderStatus(steps);
  setKptfileField(doc, ['status', 'renderStatus'], Object.keys(status).length > 0 ? status : undefined);
}
