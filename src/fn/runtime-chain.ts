/**
 * The runtime chain: runtimes are asked in order (builtin → exec → container → remote); the first
 * that resolves a target runs it. When none does, `resolveRunner` throws a FunctionRunError that
 * names the image and the runtimes that were tried.
 */
import {
  FunctionRunError,
  describeTarget,
  type FunctionRunner,
  type FunctionRuntime,
  type FunctionTarget,
} from './function-runtime.js';

export function createRuntimeChain(runtimes: readonly FunctionRuntime[]): FunctionRuntime {
  const list = [...runtimes];
  return {
    name: list.map((r) => r.name).join(',') || 'none',
    async resolve(target: FunctionTarget): Promise<FunctionRunner | undefined> {
      for (const runtime of list) {
        const runner = await runtime.resolve(target);
        if (runner) return runner;
      }
      return undefined;
    },
    explainMiss(target: FunctionTarget): string | undefined {
      const notes = list.flatMap((r) => {
        const why = r.explainMiss?.(target);
        return why ? [`${r.name}: ${why}`] : [];
      });
      return notes.length > 0 ? notes.join('; ') : undefined;
    },
  };
}

/** The runner for `target`, or a FunctionRunError naming the image and the runtimes tried. */
export async function resolveRunner(
  runtime: FunctionRuntime,
  target: FunctionTarget,
): Promise<FunctionRunner> {
  const runner = await runtime.resolve(target);
  if (runner) return runner;
  const what =
    target.image !== undefined ? `image "${target.image}"` : `executable "${describeTarget(target)}"`;
  const why = runtime.explainMiss?.(target);
  throw new FunctionRunError(
    `no function runtime can run ${what} (tried: ${runtime.name}${why ? `; ${why}` : ''}); use a builtin catalog function, map the image to an executable with a FunctionConfig, or install docker or podman`,
    { target },
  );
}

/** kpt's short image names (`set-labels:v0.1`) are catalog functions. */
export const DEFAULT_IMAGE_PREFIX = 'ghcr.io/kptdev/krm-functions-catalog/';

export function expandImage(image: string): string {
  return image.includes('/') ? image : `${DEFAULT_IMAGE_PREFIX}${image}`;
}
