/**
 * The query and path parameters Kubernetes declares on its REST operations, by verb, with short
 * descriptions of what Lading does with them.
 */

export interface ParamSpec {
  name: string;
  in: 'path' | 'query';
  description: string;
  type: 'string' | 'boolean' | 'integer';
  required?: boolean;
}

const q = (name: string, type: ParamSpec['type'], description: string): ParamSpec => ({
  name,
  in: 'query',
  type,
  description,
});

export const P = {
  pretty: q('pretty', 'string', "If 'true', the output is pretty printed."),
  dryRun: q(
    'dryRun',
    'string',
    'When present, modifications are not persisted. An unrecognized directive is an error and nothing further is processed. Valid values: All (process every dry-run stage).',
  ),
  fieldManager: q(
    'fieldManager',
    'string',
    'A name for the actor making the change, recorded in managedFields. At most 128 printable characters. Required for apply patches (application/apply-patch+yaml), optional otherwise.',
  ),
  fieldValidation: q(
    'fieldValidation',
    'string',
    'How the server treats unknown or duplicate fields in the object of a POST, PUT or PATCH. Valid values: Ignore (drop unknown fields silently, keep the last duplicate), Warn (drop them and send a warning header for each), Strict (fail the request with a BadRequest naming every unknown or duplicate field). The default is Warn.',
  ),
  force: q(
    'force',
    'boolean',
    'Force re-acquires fields owned by other managers when applying. Must be unset for non-apply patches.',
  ),
  allowWatchBookmarks: q(
    'allowWatchBookmarks',
    'boolean',
    'Requests watch events of type BOOKMARK. The server may send them at its discretion; ignored for non-watch requests.',
  ),
  continue: q(
    'continue',
    'string',
    'The continue token of a previous page of a paginated list, to fetch the next page of the same snapshot.',
  ),
  fieldSelector: q(
    'fieldSelector',
    'string',
    'Restricts the returned objects by their fields. Defaults to everything.',
  ),
  labelSelector: q(
    'labelSelector',
    'string',
    'Restricts the returned objects by their labels. Defaults to everything.',
  ),
  limit: q(
    'limit',
    'integer',
    'Maximum number of items to return; when more exist the list metadata carries a continue token.',
  ),
  resourceVersion: q(
    'resourceVersion',
    'string',
    'Constrains which resource versions a request may be served from; see resourceVersionMatch. Defaults to the most recent.',
  ),
  resourceVersionMatch: q(
    'resourceVersionMatch',
    'string',
    'How resourceVersion applies to list calls: Exact or NotOlderThan.',
  ),
  sendInitialEvents: q(
    'sendInitialEvents',
    'boolean',
    'With watch=true, first sends synthetic ADDED events for the current state, then a bookmark marking their end.',
  ),
  timeoutSeconds: q(
    'timeoutSeconds',
    'integer',
    'Timeout for the list or watch call, regardless of activity.',
  ),
  watch: q(
    'watch',
    'boolean',
    'Watch for changes to the described resources and return them as a stream of add, update and remove notifications.',
  ),
  gracePeriodSeconds: q(
    'gracePeriodSeconds',
    'integer',
    "Seconds before the object is deleted; 0 means immediately. Defaults to the kind's own value.",
  ),
  ignoreStoreReadError: q(
    'ignoreStoreReadErrorWithClusterBreakingPotential',
    'boolean',
    'Deletes an object whose stored data cannot be read. Dangerous: bypasses finalizers and admission; requires an extra permission.',
  ),
  orphanDependents: q(
    'orphanDependents',
    'boolean',
    'Deprecated: use propagationPolicy. Whether dependents are orphaned.',
  ),
  propagationPolicy: q(
    'propagationPolicy',
    'string',
    'Whether and how garbage collection is performed: Orphan, Background or Foreground.',
  ),
};

export const LIST_PARAMS = [
  P.allowWatchBookmarks,
  P.continue,
  P.fieldSelector,
  P.labelSelector,
  P.limit,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
  P.watch,
];
export const WRITE_PARAMS = [P.dryRun, P.fieldManager, P.fieldValidation];
export const DELETE_PARAMS = [
  P.dryRun,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.orphanDependents,
  P.propagationPolicy,
];
export const DELETE_COLLECTION_PARAMS = [
  P.continue,
  P.dryRun,
  P.fieldSelector,
  P.gracePeriodSeconds,
  P.ignoreStoreReadError,
  P.labelSelector,
  P.limit,
  P.orphanDependents,
  P.propagationPolicy,
  P.resourceVersion,
  P.resourceVersionMatch,
  P.sendInitialEvents,
  P.timeoutSeconds,
];
