/**
 * KRM YAML benchmarks (src/krm): reading a package of 100, 1,000 and 5,000 resources with
 * `readPackageResources`, writing it back with `writePackageResources` (unchanged, and with every
 * resource edited), and building/parsing a ~20 MiB ResourceList (`buildResourceList`,
 * `parseResourceList`). The baseline of each row is the `yaml` package parsing and stringifying
 * the same text (`parseAllDocuments` + `toString`), measured in this run.
 */
import { parseAllDocuments } from 'yaml';
import {
  buildResourceList,
  parseResourceList,
  readPackageResources,
  setAnnotation,
  writePackageResources,
  type PackageResources,
} from '../src/krm/index.js';
import { median, ms, type Row } from './support.js';

/** One resource: Deployments (comments, flow list, literal block) and ConfigMaps (folded block). */
function resource(i: number): string {
  if (i % 2 === 1) {
    return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: config-${i}\ndata:\n  key: value-${i}\n  other: "42"\n  long: >\n    folded text\n    more\n`;
  }
  return [
    `# Deployment ${i}`,
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: app-${i} # app`,
    '  labels:',
    `    app: app-${i}`,
    '  annotations:',
    "    note: 'quoted value'",
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    `      app: app-${i}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        app: app-${i}`,
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: nginx:1.14',
    '          args: [--port, "80"]',
    '          env:',
    '            # the port',
    '            - name: PORT',
    '              value: "80"',
    '          ports:',
    '            - containerPort: 80',
    '          command:',
    '            - /bin/sh',
    '            - -c',
    '            - |',
    '              echo hello',
    '              exec nginx',
    '',
  ].join('\n');
}

/** A package of `count` resources, ten per file, plus a Kptfile. */
function benchPackage(count: number): Map<string, string> {
  const files = new Map<string, string>();
  files.set('Kptfile', 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: bench\n');
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    docs.push(resource(i));
    if (docs.length === 10 || i === count - 1) {
      files.set(`resources/r-${String(i).padStart(5, '0')}.yaml`, docs.join('---\n'));
      docs.length = 0;
    }
  }
  return files;
}

/** Times `fn` `runs` times after one untimed run; `prepare` runs untimed before each. */
function timeSync<T>(runs: number, prepare: () => T, fn: (input: T) => void): number {
  fn(prepare());
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const input = prepare();
    const start = performance.now();
    fn(input);
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The `yaml` package's parse + stringify of the same texts. */
function yamlBaseline(runs: number, texts: readonly string[]): number {
  return timeSync(
    runs,
    () => texts,
    (all) => {
      for (const text of all) for (const doc of parseAllDocuments(text)) doc.toString();
    },
  );
}

function row(benchmark: string, figure: number, baseline: number, goal?: string): Row {
  return {
    benchmark,
    figure: ms(figure),
    baseline: `${ms(baseline)} (yaml parse+stringify)`,
    ratio: `${(figure / baseline).toFixed(2)}×`,
    ...(goal ? { goal } : {}),
  };
}

function editAll(pkg: PackageResources): PackageResources {
  for (const r of pkg.resources) setAnnotation(r.document.doc, 'bench/edited', 'true');
  return pkg;
}

export function krmYamlBenchmarks(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const count of [100, 1_000, 5_000]) {
    const files = benchPackage(count);
    const runs = count >= 5_000 ? 3 : count >= 1_000 ? 5 : 15;
    const n = count.toLocaleString('en');
    const base = yamlBaseline(runs, [...files.values()]);
    const read = timeSync(
      runs,
      () => files,
      (f) => void readPackageResources(f),
    );
    rows.push(row(`(a) readPackageResources, ${n} resources`, read, base));
    const fresh = (): PackageResources => readPackageResources(files);
    const unchanged = timeSync(runs, fresh, (pkg) => {
      const out = writePackageResources(files, pkg, pkg.resources);
      if (out.get('Kptfile') !== files.get('Kptfile')) throw new Error('unchanged write changed the Kptfile');
    });
    rows.push(row(`(b) writePackageResources, ${n} resources, unchanged`, unchanged, base));
    const edited = timeSync(
      runs,
      () => editAll(fresh()),
      (pkg) => void writePackageResources(files, pkg, pkg.resources),
    );
    rows.push(row(`(b) writePackageResources, ${n} resources, all edited`, edited, base));
  }

  // ~20 MiB ResourceList: about 1,500 resources per MiB of the list above.
  const pkg = readPackageResources(benchPackage(30_000));
  const list = buildResourceList(pkg.resources);
  const mib = (Buffer.byteLength(list) / 1024 / 1024).toFixed(1);
  const base = yamlBaseline(3, [list]);
  const build = timeSync(
    3,
    () => pkg.resources,
    (items) => void buildResourceList(items),
  );
  rows.push(row(`(c) buildResourceList, ${mib} MiB`, build, base));
  const parse = timeSync(
    3,
    () => list,
    (text) => void parseResourceList(text, { maxDocumentLength: 64 * 1024 * 1024 }),
  );
  rows.push(row(`(c) parseResourceList, ${mib} MiB`, parse, base));
  return Promise.resolve(rows);
}
