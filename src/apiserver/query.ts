/** Query parameters of resource requests, parsed and checked once. */
import { BadRequestError, type DeleteOptions } from '../apimachinery/index.js';
import type { FieldValidation, ListRequest, WatchRequest, WriteRequest } from '../registry/index.js';
import type { IncludeObject } from './table.js';

export class Query {
  constructor(private readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null ? undefined : value;
  }

  bool(name: string): boolean {
    const value = this.params.get(name);
    if (value === null) return false;
    if (value === '' || value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw new BadRequestError(
      `invalid value for ${name}: ${JSON.stringify(value)}: must be "true" or "false"`,
    );
  }

  int(name: string): number | undefined {
    const value = this.params.get(name);
    if (value === null || value === '') return undefined;
    if (!/^-?\d+$/.test(value))
      throw new BadRequestError(`invalid value for ${name}: ${JSON.stringify(value)}: must be an integer`);
    return Number(value);
  }

  list(): ListRequest {
    const request: ListRequest = {};
    const set = <K extends keyof ListRequest>(key: K, value: ListRequest[K] | undefined): void => {
      if (value !== undefined) request[key] = value;
    };
    set('labelSelector', this.string('labelSelector'));
    set('fieldSelector', this.string('fieldSelector'));
    const limit = this.int('limit');
    if (limit !== undefined && limit < 0) throw new BadRequestError('limit must be a non-negative integer');
    set('limit', limit);
    set('continue', this.string('continue'));
    set('resourceVersion', this.string('resourceVersion'));
    const match = this.string('resourceVersionMatch');
    if (match !== undefined && !['', 'Exact', 'NotOlderThan'].includes(match)) {
      throw new BadRequestError(
        `resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`,
      );
    }
    set('resourceVersionMatch', match);
    return request;
  }

  watch(): WatchRequest {
    const { labelSelector, fieldSelector, resourceVersion, resourceVersionMatch } = this.list();
    const request: WatchRequest = {};
    if (labelSelector !== undefined) request.labelSelector = labelSelector;
    if (fieldSelector !== undefined) request.fieldSelector = fieldSelector;
    if (resourceVersion !== undefined) request.resourceVersion = resourceVersion;
    if (resourceVersionMatch !== undefined) request.resourceVersionMatch = resourceVersionMatch;
    if (this.bool('allowWatchBookmarks')) request.allowWatchBookmarks = true;
    if (this.bool('sendInitialEvents')) request.sendInitialEvents = true;
    return request;
  }

  /** `timeoutSeconds` for watches, in ms (undefined = until the client goes away). */
  watchTimeoutMs(): number | undefined {
    const seconds = this.int('timeoutSeconds');
    return seconds !== undefined && seconds > 0 ? seconds * 1000 : undefined;
  }

  /** `bodyDryRun`: a delete's `DeleteOptions.dryRun` (kubectl sends it there, not in the query). */
  write(userAgent: string | undefined, warnings: string[], bodyDryRun: unknown = []): WriteRequest {
    const request: WriteRequest = { warnings };
    if (!Array.isArray(bodyDryRun)) throw new BadRequestError('dryRun: Invalid value: must be a list');
    const dryRun = [...this.params.getAll('dryRun'), ...(bodyDryRun as unknown[])];
    for (const value of dryRun) {
      if (value !== 'All')
        throw new BadRequestError(`dryRun: Unsupported value: "${String(value)}": supported values: "All"`);
    }
    if (dryRun.length > 0) request.dryRun = true;
    const manager = this.string('fieldManager') ?? defaultManager(userAgent);
    if (manager.length > 128) throw new BadRequestError('fieldManager: Too long: may not be longer than 128');
    request.fieldManager = manager;
    const validation = this.string('fieldValidation');
    if (validation !== undefined && validation !== '') {
      if (!['Strict', 'Warn', 'Ignore'].includes(validation)) {
        throw new BadRequestError(
          `fieldValidation: Unsupported value: "${validation}": supported values: "Ignore", "Strict", "Warn"`,
        );
      }
      request.fieldValidation = validation as FieldValidation;
    } else {
      // Kubernetes' server default: report unknown fields as warnings.
      request.fieldValidation = 'Warn';
    }
    if (this.bool('force')) request.force = true;
    return request;
  }

  deleteOptions(body: unknown): DeleteOptions {
    const options: DeleteOptions =
      body !== null && typeof body === 'object' ? { ...(body as DeleteOptions) } : {};
    const policy = this.string('propagationPolicy');
    if (policy !== undefined)
      options.propagationPolicy = policy as NonNullable<DeleteOptions['propagationPolicy']>;
    const grace = this.int('gracePeriodSeconds');
    if (grace !== undefined) options.gracePeriodSeconds = grace;
    if (this.params.has('orphanDependents')) options.orphanDependents = this.bool('orphanDependents');
    return options;
  }

  includeObject(): IncludeObject {
    const value = this.string('includeObject') ?? 'Metadata';
    if (value !== 'None' && value !== 'Metadata' && value !== 'Object') {
      throw new BadRequestError(
        `includeObject: Unsupported value: "${value}": supported values: "None", "Metadata", "Object"`,
      );
    }
    return value;
  }
}

/** Kubernetes derives the default field manager from the User-Agent's first segment. */
function defaultManager(userAgent: string | undefined): string {
  const first = (userAgent ?? '').split('/')[0]?.trim() ?? '';
  return first === '' ? 'unknown' : first.slice(0, 128);
}
