/**
 * Building a package from a sealer Kubefile: the instructions become package files and image
 * metadata, then the ordinary build makes the same reproducible package image a folder gives.
 *
 * - `FROM scratch` starts empty; `FROM IMAGE` starts from that package image's files (a cluster
 *   base image such as `sealerio/kubernetes` is not a package and is refused with a hint).
 * - `COPY`/`ADD SRC… DEST` copy files or folders of the build context to DEST in the package
 *   (`${ARCH}` in SRC is the build architecture); URLs are refused (no network at build time).
 * - `APP NAME local://SRC…` puts SRC under `application/apps/NAME/`, as sealer does; `CNI`/`CSI`
 *   do the same and add sealer's `cluster.alpha.sealer.io/kube-cni-NAME` (`kube-csi-`) label.
 * - `LABEL`, `KUBEVERSION` (the `app.alpha.sealer.io/supported-kube-version` label) and
 *   `MAINTAINER` set image labels; `ARG` (overridable with build args) is substituted as
 *   `$NAME`/`${NAME}` in later instructions.
 * - `ENV`, `APPENV`, `APPCMDS`, `LAUNCH`, `CMDS` and `CMD` are recorded in sealer's
 *   `sealer.image.extension` manifest annotation; `sealer.image.container.images` lists the
 *   images found in each app, so sealer tooling reads the image's metadata.
 * - `RUN` is refused: Lading builds without a container runtime.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { BadRequestError } from '../apimachinery/index.js';
import { buildFromFiles, type BuildOptions, type BuildResult } from './build.js';
import { findImages } from './images.js';
import { KubefileError, parseKubefile, type KubefileInstruction } from './kubefile.js';
import { comparePaths, readPackageFolder, type PackageFileMap } from './package-source.js';

export interface KubefileBuildOptions extends BuildOptions {
  /** Build context (default: the Kubefile's folder). */
  context?: string;
  /** `--build-arg` values overriding `ARG` defaults. */
  buildArgs?: Record<string, string>;
  /** Files of the package image `FROM` names; undefined when it is not a package image. */
  loadBase?: (image: string) => Promise<PackageFileMap>;
  /** Name of the package (default: the context folder's name). */
  name?: string;
}

export const SealerAnnotation = {
  extension: 'sealer.image.extension',
  containerImages: 'sealer.image.container.images',
} as const;

interface App {
  name: string;
  files: string[];
  type: string;
  env?: Record<string, string>;
  cmds?: string[];
}

function appType(files: string[]): string {
  const base = (f: string): string => f.slice(f.lastIndexOf('/') + 1);
  if (['Chart.yaml', 'values.yaml'].every((n) => files.some((f) => base(f) === n))) return 'helm';
  if (files.length > 0 && files.every((f) => f.endsWith('.sh'))) return 'shell';
  if (files.length > 0 && files.every((f) => /\.ya?ml$/.test(f))) return 'kube';
  return '';
}

/** Normalises a package destination path; `..` and empty results are refused. */
function packagePath(path: string, fail: (m: string) => never): string {
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') fail(`destination ${JSON.stringify(path)} must not contain ".."`);
    parts.push(seg);
  }
  return parts.join('/');
}

/** Builds the package a Kubefile describes. Errors name the Kubefile line. */
export async function buildFromKubefile(
  file: string,
  options: KubefileBuildOptions = {},
): Promise<BuildResult> {
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new BadRequestError(`cannot read Kubefile "${file}": ${(err as Error).message}`, { cause: err });
  });
  const kubefile = parseKubefile(text, file);
  const context = await realpath(resolve(options.context ?? join(file, '..')));
  const arch = (kubefile.from.platform ?? 'linux/amd64').split('/')[1] ?? 'amd64';
  const args: Record<string, string> = {};
  const files: PackageFileMap = new Map();
  const labels: Record<string, string> = { ...(options.labels ?? {}) };
  const env: Record<string, string> = {};
  const apps = new Map<string, App>();
  let launch: { app_names?: string[]; cmds?: string[] } = {};
  const cmds: string[] = [];

  const substitute = (s: string): string =>
    s.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a: string | undefined, b: string | undefined) => {
      const key = a ?? b ?? '';
      if (key === 'ARCH') return arch;
      return args[key] ?? whole;
    });

  /** Files of `source` (a file or folder of the context) keyed by their path under `dest`. */
  const copy = async (
    source: string,
    dest: string,
    into: boolean,
    fail: (m: string) => never,
  ): Promise<string[]> => {
    if (/^[a-z]+:\/\//.test(source) && !source.startsWith('local://'))
      fail(`${JSON.stringify(source)}: only local sources can be built; download it into the build context`);
    const abs = resolve(context, source.replace(/^local:\/\//, ''));
    const real = await realpath(abs).catch(() =>
      fail(`${JSON.stringify(source)} not found in the build context`),
    );
    const rel = relative(context, real);
    if (rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith(sep))
      fail(`${JSON.stringify(source)} is outside the build context "${context}"`);
    const info = await stat(real);
    const written: string[] = [];
    if (info.isDirectory()) {
      for (const [path, bytes] of await readPackageFolder(real)) {
        const target = packagePath(`${dest}/${path}`, fail);
        files.set(target, bytes);
        written.push(target);
      }
    } else if (info.isFile()) {
      const name = real.slice(real.lastIndexOf(sep) + 1);
      const target = packagePath(into ? `${dest}/${name}` : dest, fail);
      if (target === '') fail(`destination of ${JSON.stringify(source)} is empty`);
      files.set(target, new Uint8Array(await readFile(real)));
      written.push(target);
    } else fail(`${JSON.stringify(source)} is not a regular file or folder`);
    return written;
  };

  const run = async (ins: KubefileInstruction): Promise<void> => {
    const fail = (message: string): never => {
      throw new KubefileError(file, ins.line, message);
    };
    switch (ins.op) {
      case 'FROM': {
        if (ins.image === 'scratch') return;
        if (!options.loadBase)
          fail(`FROM ${ins.image}: base images are not available here; use FROM scratch`);
        let base: PackageFileMap;
        try {
          base = await options.loadBase!(substitute(ins.image));
        } catch (err) {
          return fail(
            `FROM ${ins.image}: not a package image Lading can read (${err instanceof Error ? err.message : String(err)}); sealer cluster base images are not packages: build application images FROM scratch`,
          );
        }
        for (const [p, b] of base) files.set(p, b);
        return;
      }
      case 'ARG':
        for (const [k, v] of Object.entries(ins.values)) args[k] = options.buildArgs?.[k] ?? substitute(v);
        return;
      case 'COPY':
      case 'ADD': {
        const dest = substitute(ins.dest);
        const into = ins.sources.length > 1 || dest.endsWith('/') || dest === '.' || dest === './';
        for (const s of ins.sources) await copy(substitute(s), dest, into, fail);
        return;
      }
      case 'APP':
      case 'CNI':
      case 'CSI': {
        const app: App = apps.get(ins.name) ?? { name: ins.name, files: [], type: '' };
        for (const s of ins.sources) {
          const written = await copy(substitute(s), `application/apps/${ins.name}/`, true, fail);
          app.files.push(...written.map((w) => w.slice(`application/apps/${ins.name}/`.length)));
        }
        app.type = appType(app.files);
        apps.set(ins.name, app);
        if (ins.op !== 'APP')
          labels[`cluster.alpha.sealer.io/kube-${ins.op.toLowerCase()}-${ins.name}`] = 'true';
        return;
      }
      case 'APPCMDS':
        apps.get(ins.name)!.cmds = ins.cmds.map(substitute);
        return;
      case 'APPENV': {
        const app = apps.get(ins.name ?? '')!;
        app.env = { ...app.env, ...mapValues(ins.values, substitute) };
        return;
      }
      case 'ENV':
        Object.assign(env, mapValues(ins.values, substitute));
        return;
      case 'LABEL':
        Object.assign(labels, mapValues(ins.values, substitute));
        return;
      case 'KUBEVERSION':
        labels['app.alpha.sealer.io/supported-kube-version'] = substitute(ins.text);
        return;
      case 'MAINTAINER':
        labels.maintainer = substitute(ins.text);
        return;
      case 'LAUNCH':
        launch = { app_names: ins.apps };
        return;
      case 'CMDS':
        launch = { cmds: ins.cmds.map(substitute) };
        return;
      case 'CMD':
        cmds.push(substitute(ins.text));
        return;
      case 'RUN':
        fail(
          'RUN runs commands at build time, which needs a container runtime; run them before `lading pkg build` and COPY the result',
        );
    }
  };
  for (const ins of kubefile.instructions) await run(ins);
  if (files.size === 0)
    throw new KubefileError(
      file,
      kubefile.instructions.at(-1)?.line ?? 1,
      'the Kubefile puts no files into the package',
    );

  const containerImages = [...apps.values()].flatMap((app) => {
    const prefix = `application/apps/${app.name}/`;
    const appFiles: PackageFileMap = new Map(
      [...files].filter(([p]) => p.startsWith(prefix)).map(([p, b]) => [p.slice(prefix.length), b]),
    );
    return findImages(appFiles).map((i) => ({
      image: i.reference,
      appName: app.name,
      platform: { os: 'linux', architecture: arch },
    }));
  });
  const extension = {
    type: 'app-installer',
    applications: [...apps.values()].map((a) => ({
      name: a.name,
      type: a.type,
      files: a.files,
      version: 'v1',
      ...(a.env ? { env: a.env } : {}),
      ...(a.cmds ? { cmds: a.cmds } : {}),
    })),
    launch: cmds.length > 0 && !launch.app_names && !launch.cmds ? { cmds } : launch,
    env,
  };
  const name = options.name ?? context.slice(context.lastIndexOf(sep) + 1);
  try {
    const sorted: PackageFileMap = new Map([...files].sort(([a], [b]) => comparePaths(a, b)));
    return await buildFromFiles(sorted, name, {
      ...options,
      labels,
      annotations: {
        ...(options.annotations ?? {}),
        [SealerAnnotation.extension]: JSON.stringify(extension),
        [SealerAnnotation.containerImages]: JSON.stringify(containerImages),
      },
    });
  } catch (err) {
    if (err instanceof KubefileError) throw err;
    throw new BadRequestError(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

function mapValues(values: Record<string, string>, f: (s: string) => string): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, f(v)]));
}
