/**
 * Finds every container image a package references, by parsing its YAML (not by scanning lines
 * for `image:` as sealer does): the containers, init containers and ephemeral containers of Pods,
 * PodTemplates and every workload kind's pod template (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Job, CronJob); the `lading.run/images` annotation on any
 * object, for images an operator pulls at run time; `imageList` files (sealer's format: one image
 * a line, `#` comments); and Package Operator's `spec.images` in `manifest.yaml`.
 */
import { parse } from 'yaml';
import { BadRequestError } from '../apimachinery/index.js';
import { formatReference, parseReference, ReferenceError } from '../oci/index.js';
import { MANIFEST_FILES, parsePackageManifest } from './manifest.js';
import { splitYamlDocuments } from './package-render.js';
import { comparePaths, fileText, hasDotSegment, type PackageFileMap } from './package-source.js';

/** Annotation listing images an object's operator pulls at run time (comma or newline separated). */
export const IMAGES_ANNOTATION = 'lading.run/images';
/** Base name of explicit image list files (sealer's `imageList`). */
export const IMAGE_LIST_FILE = 'imageList';

export interface ImageSource {
  path: string;
  /** Document index in the file (YAML sources). */
  index?: number;
  /** `Kind/name` of the object, or `PackageManifest spec.images[<name>]`, or `imageList`. */
  object?: string;
  /** Field path, e.g. `spec.template.spec.containers[0].image`. */
  field?: string;
}

export interface FoundImage {
  /** The reference as written. */
  image: string;
  /** Normalised `registry/repository[:tag][@digest]`. */
  reference: string;
  sources: ImageSource[];
}

/** Where each workload kind keeps its pod spec. */
export const POD_SPEC_PATHS: Record<string, string[]> = {
  Pod: ['spec'],
  PodTemplate: ['template', 'spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  ReplicationController: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};
export const CONTAINER_FIELDS = ['initContainers', 'containers', 'ephemeralContainers'] as const;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class ImageCollector {
  private readonly found = new Map<string, FoundImage>();

  add(image: string, source: ImageSource): void {
    const text = image.trim();
    if (text === '') return;
    let reference: string;
    try {
      reference = formatReference(parseReference(text));
    } catch (err) {
      if (err instanceof ReferenceError) {
        throw new BadRequestError(`${source.path}${source.field ? ` ${source.field}` : ''}: ${err.message}`, {
          cause: err,
        });
      }
      throw err;
    }
    const entry = this.found.get(reference) ?? { image: text, reference, sources: [] };
    entry.sources.push(source);
    this.found.set(reference, entry);
  }

  /** Images of one parsed object. */
  addObject(object: unknown, path: string, index: number): void {
    if (!isRecord(object)) return;
    const kind = typeof object.kind === 'string' ? object.kind : '';
    const meta = isRecord(object.metadata) ? object.metadata : {};
    const label = `${kind}/${typeof meta.name === 'string' ? meta.name : ''}`;
    const specPath = POD_SPEC_PATHS[kind];
    if (specPath) {
      let spec: unknown = object;
      for (const key of specPath) spec = isRecord(spec) ? spec[key] : undefined;
      if (isRecord(spec)) {
        for (const field of CONTAINER_FIELDS) {
          const list = spec[field];
          if (!Array.isArray(list)) continue;
          list.forEach((c, i) => {
            if (isRecord(c) && typeof c.image === 'string') {
              this.add(c.image, {
                path,
                index,
                object: label,
                field: `${specPath.join('.')}.${field}[${i}].image`,
              });
            }
          });
        }
      }
    }
    const annotations = isRecord(meta.annotations) ? meta.annotations : {};
    const extra = annotations[IMAGES_ANNOTATION];
    if (typeof extra === 'string') {
      for (const image of extra.split(/[,\n]/)) {
        this.add(image, { path, index, object: label, field: `metadata.annotations[${IMAGES_ANNOTATION}]` });
      }
    }
  }

  /** Images of an `imageList` file (sealer's format). */
  addImageList(text: string, path: string): void {
    for (const line of text.split('\n')) {
      const image = line.replace(/#.*$/, '').replace(/["']/g, '').trim();
      if (image) this.add(image, { path, object: IMAGE_LIST_FILE });
    }
  }

  /** Found images, sorted by reference. */
  images(): FoundImage[] {
    return [...this.found.values()].sort((a, b) => comparePaths(a.reference, b.reference));
  }
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Every image `files` references. YAML that does not parse is skipped (templates with Go
 * actions among them); a reference that does not parse is an error naming the file and field.
 */
export function findImages(files: PackageFileMap, collector = new ImageCollector()): FoundImage[] {
  for (const [path, bytes] of [...files].sort(([a], [b]) => comparePaths(a, b))) {
    if (hasDotSegment(path)) continue;
    const name = baseName(path);
    if (name === IMAGE_LIST_FILE) {
      collector.addImageList(fileText(path, bytes), path);
      continue;
    }
    if ((MANIFEST_FILES as readonly string[]).includes(path)) {
      try {
        const manifest = parsePackageManifest(path, fileText(path, bytes));
        for (const img of manifest.spec.images ?? []) {
          collector.add(img.image, {
            path,
            object: `PackageManifest/${manifest.metadata.name}`,
            field: `spec.images[${img.name}]`,
          });
        }
      } catch {
        // Not a PackageManifest: an ordinary YAML file.
      }
      continue;
    }
    if (!/\.ya?ml$/.test(path)) continue;
    let text: string;
    try {
      text = fileText(path, bytes);
    } catch {
      continue;
    }
    let index = 0;
    for (const doc of splitYamlDocuments(text)) {
      if (doc.trim() === '') continue;
      let object: unknown;
      try {
        object = parse(doc, { uniqueKeys: false, maxAliasCount: 100 });
      } catch {
        index++;
        continue;
      }
      collector.addObject(object, path, index++);
    }
  }
  return collector.images();
}
