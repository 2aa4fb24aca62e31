/**
 * Every write of a Draft's files is rendered through the package's pipeline before it is stored
 * (porch.md §2.5, §3). A failed render refuses the write with the functions' results — unless the
 * PackageRevision carries `porch.kpt.dev/push-on-render-failure: "true"`, in which case the files
 * are stored as given, with a `Rendered=False` condition in the Kptfile so the failure shows on
 * the PackageRevision's `status.conditions`.
 */
import { BadRequestError, type KubeObject } from '../apimachinery/index.js';
import {
  formatFunctionResultList,
  renderPackage,
  type FunctionResultList,
  type FunctionRuntime,
} from '../fn/index.js';
import { KPTFILE } from '../krm/index.js';
import { applyFieldsToKptfile, kptfileFields } from './kptfile-fields.js';

export const PUSH_ON_RENDER_FAILURE_ANNOTATION = 'porch.kpt.dev/push-on-render-failure';

/** `status.renderStatus` of PackageRevisionResources. */
export interface RenderStatus {
  result: FunctionResultList;
  error: string;
}

export interface RenderedWrite {
  files: Map<string, string>;
  renderStatus: RenderStatus;
}

/**
 * The files to store for a Draft write. `runtime` undefined: rendering is off (files as given).
 * `object` is the PackageRevision the write belongs to (its annotations decide on failure).
 */
export async function renderForWrite(
  runtime: FunctionRuntime | undefined,
  files: ReadonlyMap<string, string>,
  object: KubeObject,
  signal?: AbortSignal,
): Promise<RenderedWrite | undefined> {
  if (!runtime) return undefined;
  const rendered = await renderPackage(files, { runtime, ...(signal ? { signal } : {}) });
  if (rendered.ok) return { files: rendered.files, renderStatus: { result: rendered.results, error: '' } };
  const error = rendered.error?.message ?? rendered.condition.message ?? 'the pipeline failed';
  if (object.metadata.annotations?.[PUSH_ON_RENDER_FAILURE_ANNOTATION] !== 'true') {
    throw new BadRequestError(
      `rendering the package failed, nothing was stored: ${error}\n${formatFunctionResultList(rendered.results)}` +
        `Fix the package and render it locally (\`lading fn render DIR\`), or set the annotation ` +
        `${PUSH_ON_RENDER_FAILURE_ANNOTATION}: "true" on the PackageRevision to store it unrendered.`,
    );
  }
  const conditions = (kptfileFields(files.get(KPTFILE)).conditions ?? []).filter(
    (c) => c.type !== 'Rendered',
  );
  const { type, status, reason, message } = rendered.condition;
  return {
    files: files.has(KPTFILE)
      ? applyFieldsToKptfile(files, {
          conditions: [...conditions, { type, status, reason, ...(message ? { message } : {}) }],
        })
      : new Map(files),
    renderStatus: { result: rendered.results, error },
  };
}
