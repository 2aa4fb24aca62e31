/**
 * A `ResourceListData` to and from the bytes that cross the function runner's wire: YAML in kpt's
 * format (what Porch sends), with the items' file path and index carried in the tracking
 * annotations. Parsing accepts JSON too (it is YAML).
 */
import { BadRequestError } from '../../apimachinery/index.js';
import { buildResourceList, parseResourceList } from '../../krm/index.js';
import type { FunctionResult, ResourceListData } from '../function-runtime.js';

export function resourceListToBytes(list: ResourceListData): Buffer {
  const text = buildResourceList(list.items, {
    ...(list.functionConfig ? { functionConfig: list.functionConfig } : {}),
    ...(list.results.length > 0 ? { results: list.results } : {}),
  });
  return Buffer.from(text, 'utf8');
}

/** Results as a function wrote them; entries without a `message` string get an empty one. */
function toFunctionResults(results: unknown[]): FunctionResult[] {
  return results.map((r, i) => {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new BadRequestError(`ResourceList \`results[${i}]\` must be a mapping`);
    }
    const result = r as Record<string, unknown>;
    return { ...result, message: typeof result.message === 'string' ? result.message : '' };
  });
}

/**
 * Parses a ResourceList. Its size is bounded by the gRPC message limit already (a ResourceList is a
 * whole package, larger than the YAML default limit of one document). Alias bombs are still
 * refused. Throws `BadRequestError` saying what is wrong.
 */
export function resourceListFromBytes(bytes: Buffer): ResourceListData {
  const text = bytes.toString('utf8');
  const parsed = parseResourceList(text, { maxDocumentLength: text.length });
  return {
    items: parsed.items,
    functionConfig: parsed.functionConfig,
    results: toFunctionResults(parsed.results),
  };
}
