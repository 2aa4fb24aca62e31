/**
 * Merge keys of cloned resources, as `kpt pkg get` and Porch's clone add them (kpt's
 * `addmergecomment`): the line comment `metadata: # kpt-merge: <namespace>/<name>` and the annotation
 * `internal.kpt.dev/upstream-identifier: '<group>|<Kind>|<namespace>|<name>'`. They let a later
 * 3-way merge match a resource with its upstream even after a rename.
 *
 * Rules (kpt's behaviour):
 * - a document gets them when its root mapping has `apiVersion`, `kind` or `metadata` and its
 *   metadata has a name, a namespace or labels;
 * - an existing comment containing `kpt-merge:` is kept, any other line comment on `metadata:` is
 *   replaced;
 * - the identifier is taken from the merge comment when there is one (so a 3-level chain records
 *   each level's immediate upstream), else from the resource; an empty namespace is `default`,
 *   the reserved "not namespaceable" namespace is `~C`; the group is the part of `apiVersion`
 *   before `/`;
 * - the annotation is always rewritten: an existing value keeps its quoting, loses its comments.
 */
import { isMap, isScalar, isSeq, type Document } from 'yaml';
import { getComments, setComments } from './kyaml-comments.js';
import { apiGroup, findPair, objectMeta, rootMap, setAnnotation } from './resource-meta.js';

export const MERGE_COMMENT_PREFIX = 'kpt-merge:';
export const UPSTREAM_IDENTIFIER_ANNOTATION = 'internal.kpt.dev/upstream-identifier';
/** kustomize's placeholder namespace of objects that cannot have one. */
const NOT_NAMESPACEABLE = '_non_namespaceable_';

/** Namespace and name recorded in a `# kpt-merge: ns/name` comment. */
export function parseMergeComment(
  comment: string | undefined,
): { namespace: string; name: string } | undefined {
  if (!comment) return undefined;
  const text = comment.replace(/^#/, '').trim();
  if (!text.startsWith(MERGE_COMMENT_PREFIX)) return undefined;
  const rest = text.slice(MERGE_COMMENT_PREFIX.length).trim();
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  return { namespace: rest.slice(0, slash), name: rest.slice(slash + 1) };
}

export function upstreamIdentifier(group: string, kind: string, namespace: string, name: string): string {
  return `${group}|${kind}|${namespace}|${name}`;
}

export type MergeKeyOutcome = 'added' | 'skipped';

/** Why kpt would refuse to process a document at all (its whole `pkg get` step then does nothing). */
export function mergeKeyBlocker(doc: Document): string | undefined {
  const contents = doc.contents;
  if (isMap(contents) || isSeq(contents)) {
    const metadata = isMap(contents) ? findPair(contents, 'metadata')?.value : undefined;
    if (
      metadata !== undefined &&
      metadata !== null &&
      !isMap(metadata) &&
      !(isScalar(metadata) && metadata.value === null)
    ) {
      return '`metadata` must be a mapping';
    }
    return undefined;
  }
  return 'the document is not a mapping or a list';
}

/** Adds the merge comment and upstream identifier to one document (see the module comment). */
export function addMergeKey(doc: Document): MergeKeyOutcome {
  const root = rootMap(doc);
  if (!root) return 'skipped';
  if (!['apiVersion', 'kind', 'metadata'].some((k) => findPair(root, k))) return 'skipped';
  const meta = objectMeta(doc);
  if (meta.name === '' && meta.namespace === '' && Object.keys(meta.labels).length === 0) return 'skipped';
  const metadataPair = findPair(root, 'metadata');
  if (!metadataPair) return 'skipped';
  const keyComments = getComments(metadataPair.key) ?? {};
  let comment = keyComments.keyLine;
  if (!comment?.includes(MERGE_COMMENT_PREFIX)) {
    comment = `# ${MERGE_COMMENT_PREFIX} ${meta.namespace}/${meta.name}`;
    setComments(metadataPair.key, { ...keyComments, keyLine: comment });
  }
  // kpt crashes on a malformed merge comment; Lading falls back to the resource's own identity.
  const recorded = parseMergeComment(comment) ?? { namespace: meta.namespace, name: meta.name };
  let namespace = recorded.namespace;
  if (namespace === '') namespace = 'default';
  else if (meta.namespace === NOT_NAMESPACEABLE) namespace = '~C';
  setAnnotation(
    doc,
    UPSTREAM_IDENTIFIER_ANNOTATION,
    upstreamIdentifier(apiGroup(meta.apiVersion), meta.kind, namespace, recorded.name),
  );
  return 'added';
}
