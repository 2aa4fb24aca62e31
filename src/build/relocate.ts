/**
 * Rewriting the image references of a package to new locations (relocation, or pinning by
 * digest) where image discovery found them: container images of pod specs, the
 * `lading.run/images` annotation, `imageList` files, and `spec.images` of `manifest.yaml` with its
 * lock. YAML is edited in place — only the scalar that holds the reference changes, comments and
 * layout stay as they were.
 */
import { isMap, isScalar, parseDocument, Scalar, type Node } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import { formatReference, parseReference } from '../oci/index.js';
import {
  CONTAINER_FIELDS,
  IMAGE_LIST_FILE,
  IMAGES_ANNOTATION,
  POD_SPEC_PATHS,
  findImages,
} from './images.js';
import { formatLock, type LockImage } from './lock.js';
import { LOCK_FILES, MANIFEST_FILES, parsePackageManifest, parsePackageManifestLock } from './manifest.js';
import { fileText, hasDotSegment, type PackageFileMap } from './package-source.js';

/** Normalised reference (as image discovery reports it) → the reference to write instead. */
export type ImageMapping = ReadonlyMap<string, string>;

function normalise(image: string): string {
  return formatReference(parseReference(image.trim()));
}

function lookup(mapping: ImageMapping, image: string): string | undefined {
  try {
    return mapping.get(normalise(image));
  } catch {
    return undefined;
  }
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The scalar written the way the original was (plain, single or double quoted). */
function scalarText(node: Scalar, value: string): string {
  const plainSafe =
    /^[A-Za-z0-9][A-Za-z0-9._/:@+, -]*$/.test(value) && !/ $/.test(value) && !/:\s|\s#/.test(value);
  if (node.type === Scalar.QUOTE_SINGLE) return `'${value.replace(/'/g, "''")}'`;
  if (node.type === Scalar.PLAIN && plainSafe) return value;
  return JSON.stringify(value);
}

function scalarEdit(node: unknown, offset: number, value: string): Edit | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  return { start: offset + node.range[0], end: offset + node.range[1], text: scalarText(node, value) };
}

function getIn(node: unknown, path: readonly (string | number)[]): unknown {
  let cur: unknown = node;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object' || !('get' in cur)) return undefined;
    cur = (cur as { get(k: unknown, keep: boolean): unknown }).get(key, true);
  }
  return cur;
}

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start))
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Segments of a multi-document file, split as discovery splits them (lines that are `---`). */
function segments(text: string): Array<{ start: number; text: string }> {
  const out: Array<{ start: number; text: string }> = [];
  const re = /^---[ \t]*$/gm;
  let start = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ start, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  out.push({ start, text: text.slice(start) });
  return out;
}

function rewriteObjects(text: string, mapping: ImageMapping): string {
  const edits: Edit[] = [];
  for (const seg of segments(text)) {
    if (seg.text.trim() === '') continue;
    const doc = parseDocument(seg.text, { uniqueKeys: false });
    if (doc.errors.length > 0 || !isMap(doc.contents)) continue;
    const root = doc.contents as Node;
    const kind = getIn(root, ['kind']);
    const specPath = POD_SPEC_PATHS[isScalar(kind) ? String(kind.value) : ''];
    if (specPath) {
      const spec = getIn(root, specPath);
      for (const field of CONTAINER_FIELDS) {
        const list = getIn(spec, [field]) as { items?: unknown[] } | undefined;
        for (const container of list?.items ?? []) {
          const image = getIn(container, ['image']);
          if (!isScalar(image) || typeof image.value !== 'string') continue;
          const target = lookup(mapping, image.value);
          const edit = target === undefined ? undefined : scalarEdit(image, seg.start, target);
          if (edit) edits.push(edit);
        }
      }
    }
    const annotation = getIn(root, ['metadata', 'annotations', IMAGES_ANNOTATION]);
    if (isScalar(annotation) && typeof annotation.value === 'string') {
      const parts = annotation.value
        .split(/[,\n]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
      const next = parts.map((p) => lookup(mapping, p) ?? p);
      if (next.some((p, i) => p !== parts[i])) {
        // A block scalar becomes a one-line list: its indentation cannot be reproduced reliably.
        const node = new Scalar(next.join(', '));
        node.type =
          annotation.type === Scalar.BLOCK_LITERAL || annotation.type === Scalar.BLOCK_FOLDED
            ? Scalar.QUOTE_DOUBLE
            : (annotation.type ?? Scalar.PLAIN);
        const edit = scalarEdit(Object.assign(node, { range: annotation.range }), seg.start, next.join(', '));
        if (edit) edits.push(edit);
      }
    }
  }
  return applyEdits(text, edits);
}

function rewriteImageList(text: string, mapping: ImageMapping): string {
  return text
    .split('\n')
    .map((line) => {
      const image = line.replace(/#.*$/, '').replace(/["']/g, '').trim();
      if (image === '') return line;
      const target = lookup(mapping, image);
      if (target === undefined) return line;
      const comment = /#.*$/.exec(line)?.[0];
      return comment ? `${target} ${comment}` : target;
    })
    .join('\n');
}

/** `spec.images[].image` of the manifest, and the lock regenerated for the new references. */
function rewriteManifest(
  files: PackageFileMap,
  out: PackageFileMap,
  path: string,
  mapping: ImageMapping,
  digestOf: (reference: string) => string | undefined,
): void {
  const text = fileText(path, files.get(path) ?? new Uint8Array());
  const manifest = parsePackageManifest(path, text);
  const images = manifest.spec.images ?? [];
  if (images.length === 0) return;
  const doc = parseDocument(text, { uniqueKeys: false });
  const list = getIn(doc.contents, ['spec', 'images']) as { items?: unknown[] } | undefined;
  const edits: Edit[] = [];
  const lockImages: LockImage[] = [];
  for (const item of list?.items ?? []) {
    const nameNode = getIn(item, ['name']);
    const imageNode = getIn(item, ['image']);
    if (!isScalar(imageNode) || typeof imageNode.value !== 'string') continue;
    const target = lookup(mapping, imageNode.value) ?? imageNode.value;
    const edit = scalarEdit(imageNode, 0, target);
    if (edit && target !== imageNode.value) edits.push(edit);
    const digest = digestOf(target);
    if (digest === undefined)
      throw new BadRequestError(
        `${path}: image ${JSON.stringify(imageNode.value)} of \`spec.images\` has no digest to lock; resolve it first`,
      );
    lockImages.push({ name: isScalar(nameNode) ? String(nameNode.value) : '', image: target, digest });
  }
  out.set(path, new TextEncoder().encode(applyEdits(text, edits)));
  const lockPath = LOCK_FILES.find((f) => files.has(f)) ?? LOCK_FILES[0];
  const old = files.get(lockPath);
  const created = old
    ? parsePackageManifestLock(lockPath, fileText(lockPath, old)).metadata.creationTimestamp
    : undefined;
  out.set(lockPath, new TextEncoder().encode(formatLock(lockImages, created ?? '1970-01-01T00:00:00Z')));
}

/**
 * The package with every image reference found by discovery replaced through `mapping` (keys
 * are normalised references, as `findImages` reports them). References missing from `mapping`
 * stay. Throws BadRequestError if discovery still finds a mapped reference afterwards (a place
 * this rewriter does not reach), so a bundle never ships a package pointing at the old location.
 */
export function rewriteImages(files: PackageFileMap, mapping: ImageMapping): PackageFileMap {
  const out: PackageFileMap = new Map(files);
  const digestOf = (reference: string): string | undefined => {
    try {
      return parseReference(reference).digest;
    } catch {
      return undefined;
    }
  };
  for (const [path, bytes] of files) {
    if (hasDotSegment(path)) continue;
    const base = path.slice(path.lastIndexOf('/') + 1);
    if ((MANIFEST_FILES as readonly string[]).includes(path)) {
      try {
        parsePackageManifest(path, fileText(path, bytes));
      } catch {
        continue;
      }
      rewriteManifest(files, out, path, mapping, digestOf);
      continue;
    }
    if (base === IMAGE_LIST_FILE) {
      out.set(path, new TextEncoder().encode(rewriteImageList(fileText(path, bytes), mapping)));
      continue;
    }
    if (!/\.ya?ml$/.test(path) || (LOCK_FILES as readonly string[]).includes(path)) continue;
    let text: string;
    try {
      text = fileText(path, bytes);
    } catch {
      continue;
    }
    const next = rewriteObjects(text, mapping);
    if (next !== text) out.set(path, new TextEncoder().encode(next));
  }
  const left = findImages(out).filter(
    (i) => mapping.has(i.reference) && mapping.get(i.reference) !== i.reference,
  );
  if (left.length > 0) {
    const first = left[0]!;
    const where = first.sources[0];
    throw new BadRequestError(
      `cannot rewrite image ${first.reference} in ${where?.path ?? 'the package'}${where?.field ? ` ${where.field}` : ''}; write it where discovery and relocation reach it`,
    );
  }
  return out;
}
