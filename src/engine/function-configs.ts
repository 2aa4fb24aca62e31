/**
 * FunctionConfig (`config.porch.kpt.dev/v1alpha1`): the stored kind that maps function images to
 * executables (`binaryExecutor`), and an in-memory view of all of them, kept current from the
 * change feed, for the exec runtime of render-on-write.
 */
import { FunctionConfigSchema, functionConfigInfo, type FunctionConfig } from '../apis/index.js';
import {
  groupResource,
  kindFromInfo,
  type ChangeHub,
  type KindDefinition,
  type ResourceHandler,
} from '../registry/index.js';

export const functionConfigKind: KindDefinition = kindFromInfo(functionConfigInfo, FunctionConfigSchema);

export class FunctionConfigCache {
  #configs: readonly FunctionConfig[] = [];
  #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly handler: ResourceHandler,
    private readonly hub: ChangeHub,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Loads every FunctionConfig, then follows changes. */
  async start(): Promise<void> {
    const reload = (): void => {
      this.#reload().catch(this.onError);
    };
    this.#unsubscribe = [
      this.hub.onResource(groupResource(functionConfigKind), reload),
      this.hub.onGone(reload),
    ];
    await this.#reload();
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  /** The current FunctionConfigs of all namespaces. */
  readonly configs = (): readonly FunctionConfig[] => this.#configs;

  async #reload(): Promise<void> {
    const { items } = await this.handler.list('', {});
    this.#configs = items.map((json) => JSON.parse(json) as FunctionConfig);
  }
}
