/** Deep copies of `yaml` nodes that keep Lading's comment attribution (see kyaml-comments.ts). */
import { Alias, isAlias, isMap, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { getComments, setComments } from './kyaml-comments.js';

function copyProps(from: object, to: object): void {
  const f = from as { anchor?: string; tag?: string; range?: [number, number, number] | null };
  const t = to as { anchor?: string; tag?: string; range?: [number, number, number] | null };
  if (f.anchor !== undefined) t.anchor = f.anchor;
  if (f.tag !== undefined) t.tag = f.tag;
  if (f.range) t.range = [...f.range];
  const c = getComments(from);
  if (c) {
    setComments(to, {
      ...c,
      ...(c.head ? { head: [...c.head] } : {}),
      ...(c.foot ? { foot: [...c.foot] } : {}),
    });
  }
}

export function cloneNode<T>(node: T): T {
  if (isScalar(node)) {
    const copy = new Scalar(node.value);
    if (node.type !== undefined) copy.type = node.type;
    if (node.source !== undefined) copy.source = node.source;
    if (node.format !== undefined) copy.format = node.format;
    copyProps(node, copy);
    return copy as T;
  }
  if (isAlias(node)) {
    const copy = new Alias(node.source);
    copyProps(node, copy);
    return copy as T;
  }
  if (isMap(node)) {
    const copy = new YAMLMap();
    copy.flow = node.flow ?? false;
    copy.items = node.items.map((p) => new Pair(cloneNode(p.key), cloneNode(p.value)));
    copyProps(node, copy);
    return copy as T;
  }
  if (isSeq(node)) {
    const copy = new YAMLSeq();
    copy.flow = node.flow ?? false;
    copy.items = node.items.map((item) => cloneNode(item));
    copyProps(node, copy);
    return copy as T;
  }
  if (isPair(node)) return new Pair(cloneNode(node.key), cloneNode(node.value)) as T;
  return node;
}
