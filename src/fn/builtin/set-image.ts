/**
 * `set-image` (catalog v0.1, Go SDK runner): replaces the name, tag or digest of the images that
 * match `name` in the containers of Pods and of the pod templates of Deployment, StatefulSet,
 * ReplicaSet, DaemonSet (and PodTemplate, whose template the catalog looks for under `spec`), plus
 * kustomize's image tag update at the `additionalImageFields` of a `SetImage` config.
 */
import { isMap, isSeq, type Scalar } from 'yaml';
import type { ResourceListData } from '../function-runtime.js';
import {
  configMapData,
  configObject,
  objectResult,
  isEmptyConfig,
  result,
  type BuiltinFunction,
  type BuiltinOutcome,
  type ConfigObject,
} from './builtin-function.js';
import { matchesSpec, parseFieldSpecs, walkFieldSpec, type FieldSpec } from './field-spec.js';
import { field, objectInfo, setField, stringNode, stringValue, type ObjectInfo } from './kube-object.js';
import { setScalarText } from './kyaml-walk.js';

interface Image {
  name: string;
  newName: string;
  newTag: string;
  digest: string;
}

class Terminated extends Error {}

/** kustomize's image match: the name, then an optional `:tag`, then an optional `@sha256:digest`. */
function isImageMatched(value: string, name: string): boolean {
  try {
    return new RegExp(`^${name}(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$`).test(value);
  } catch {
    return false;
  }
}

/** Name, `:tag` and `@digest` (separators kept) of an image reference; a registry port is not a tag. */
function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf('/');
  const offset = slash > 0 ? slash : 0;
  const search = image.slice(offset);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (at < 0 && colon < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (colon < 0 || at < colon)) {
    return { name: image.slice(0, offset + at), tag: '', digest: image.slice(offset + at) };
  }
  if (at >= 0) {
    return {
      name: image.slice(0, offset + colon),
      tag: image.slice(offset + colon, offset + at),
      digest: image.slice(offset + at),
    };
  }
  return { name: image.slice(0, offset + colon), tag: image.slice(offset + colon), digest: '' };
}

function newImageName(old: string, img: Image): string {
  const parts = splitImage(old);
  let { name, tag } = parts;
  if (img.newName !== '') name = img.newName;
  if (img.newTag !== '') tag = `:${img.newTag}`;
  if (img.digest !== '') tag = `@${img.digest}`;
  return tag === '' ? name + parts.digest : name + tag;
}

/** kustomize's image tag updater (additional fields): a new tag or digest replaces both. */
function kustomizeImage(old: string, img: Image): string {
  const parts = splitImage(old);
  let name = parts.name;
  let tag = parts.tag.replace(/^:/, '');
  let digest = parts.digest.replace(/^@/, '');
  if (img.newName !== '') name = img.newName;
  if (img.newTag !== '' && img.digest !== '') {
    tag = img.newTag;
    digest = img.digest;
  } else if (img.newTag !== '') {
    tag = img.newTag;
    digest = '';
  } else if (img.digest !== '') {
    tag = '';
    digest = img.digest;
  }
  return `${name}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
}

function readImage(node: unknown): Image {
  const text = (k: string): string => stringValue(field(node, k)) ?? '';
  return { name: text('name'), newName: text('newName'), newTag: text('newTag'), digest: text('digest') };
}

interface Config {
  image: Image;
  additional: FieldSpec[] | undefined;
}

function readConfig(config: ConfigObject): Config {
  const image: Image = { name: '', newName: '', newTag: '', digest: '' };
  let additional: FieldSpec[] | undefined;
  if (isEmptyConfig(config)) return { image, additional };
  if (config.kind === 'ConfigMap' && !config.apiVersion.includes('/')) {
    for (const [key, value] of configMapData(config)) {
      if (key === 'name') image.name = value;
      else if (key === 'newName') image.newName = value;
      else if (key === 'newTag') image.newTag = value;
      else if (key === 'digest') image.digest = value;
      else throw new Terminated(`ConfigMap has wrong field name ${key}`);
    }
    return { image, additional };
  }
  if (config.kind === 'SetImage' && config.apiVersion.startsWith('fn.kpt.dev/')) {
    const fields = field(config.root, 'additionalImageFields');
    if (isSeq(fields)) additional = parseFieldSpecs(fields);
    return { image: readImage(field(config.root, 'image')), additional };
  }
  const group = config.apiVersion.includes('/')
    ? config.apiVersion.slice(0, config.apiVersion.indexOf('/'))
    : '';
  throw new Terminated(
    `unknown FunctionConfig \`${group === '' ? config.kind : `${config.kind}.${group}`}\`, expect \`SetImage.fn.kpt.dev\` or \`ConfigMap.v1\``,
  );
}

function updateContainers(podSpec: unknown, img: Image): number {
  if (!isMap(podSpec)) return 0;
  let count = 0;
  // The catalog reads `iniContainers` (sic), so init containers keep their images.
  for (const listName of ['iniContainers', 'containers']) {
    const list = field(podSpec, listName);
    if (!isSeq(list)) continue;
    for (const c of list.items) {
      if (!isMap(c)) continue;
      const old = stringValue(field(c, 'image')) ?? '';
      if (!isImageMatched(old, img.name)) continue;
      const next = newImageName(old, img);
      if (next === old) continue;
      setField(c, 'image', stringNode(next));
      count++;
    }
  }
  return count;
}

function updateObject(o: ObjectInfo, img: Image): number {
  const spec = field(o.root, 'spec');
  if (!isMap(spec)) return 0;
  if (o.kind === 'Pod') return updateContainers(spec, img);
  if (['Deployment', 'StatefulSet', 'ReplicaSet', 'DaemonSet', 'PodTemplate'].includes(o.kind)) {
    return updateContainers(field(field(spec, 'template'), 'spec'), img);
  }
  return 0;
}

function updateAdditional(o: ObjectInfo, img: Image, specs: FieldSpec[]): number {
  let count = 0;
  for (const fs of specs) {
    if (!matchesSpec(fs, o)) continue;
    walkFieldSpec(o.root, fs, undefined, (slot) => {
      const node = slot.node as Scalar | null;
      const value = stringValue(node);
      if (value === undefined || !node || !isImageMatched(value, img.name)) return;
      setScalarText(node, kustomizeImage(value, img));
      count++;
    });
  }
  return count;
}

export const setImage: BuiltinFunction = {
  name: 'set-image',
  run(list: ResourceListData): BuiltinOutcome {
    const config = configObject(list.functionConfig);
    try {
      if (isEmptyConfig(config))
        list.results.push(result('`FunctionConfig` is not given', { severity: 'info' }));
      const { image, additional } = readConfig(config);
      if (image.name === '') throw new Terminated('must specify `name`');
      if (image.newName === '' && image.newTag === '' && image.digest === '') {
        throw new Terminated('must specify one of `newName`, `newTag`, or `digest`');
      }
      let count = 0;
      const objects = list.items.map(objectInfo).filter((o): o is ObjectInfo => o !== undefined);
      for (const o of objects) count += updateObject(o, image);
      if (additional) {
        for (const o of objects) {
          try {
            count += updateAdditional(o, image, additional);
          } catch (err) {
            list.results.push(objectResult(err instanceof Error ? err.message : String(err), o, 'error'));
          }
        }
      }
      list.results.push(result(`summary: updated a total of ${count} image(s)`, { severity: 'info' }));
      return { exitCode: 0 };
    } catch (err) {
      if (!(err instanceof Terminated)) throw err;
      list.results.push(result(err.message, { severity: 'error' }));
      list.results.push(result(`function is terminated: ${err.message}`, { severity: 'error' }));
      return { exitCode: 1, stderr: `failed to evaluate function: function is terminated: ${err.message}` };
    }
  },
};
