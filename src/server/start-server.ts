/**
 * Composition root of `lading serve`: opens the store, registers the built-in kinds, starts the
 * controllers under leader election, and serves the API. No logic of its own beyond wiring.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { destination, pino, type Logger } from 'pino';
import { AlreadyExistsError } from '../apimachinery/index.js';
import {
  anonymousAdmin,
  createApiMetrics,
  createApiServer,
  loadTokenAuthenticator,
} from '../apiserver/index.js';
import { RepositoryController, repositoryKind } from '../controllers/index.js';
import {
  RepositoryPool,
  createPackageResourcesHandler,
  createPackageRevisionHandler,
  FunctionConfigCache,
  functionConfigKind,
  repositoryResolver,
  packageRevisionKind,
  packageRevisionResourcesKind,
  porchPackageKind,
  type PackageRevisionDeps,
} from '../engine/index.js';
import { openStore } from '../db/index.js';
import {
  createBuiltinRuntime,
  createContainerRuntime,
  createExecRuntime,
  createRemoteRuntime,
  createRuntimeChain,
} from '../fn/index.js';
import { hostedRepositoriesDir, prepareGitHome } from '../git/index.js';
import { UpstreamMirrors } from '../repository/index.js';
import {
  ChangeHub,
  CrdController,
  GarbageCollector,
  Handlers,
  KindRegistry,
  NamespaceController,
  configMapKind,
  namespaceKind,
  secretKind,
} from '../registry/index.js';
import { checkConfig, databaseUrlOf, servesTls, type ServerConfig } from './config.js';
import { writeKubeconfig } from './kubeconfig.js';
import { servingCertificate } from './serving-certificate.js';
import { version } from './version.js';

export interface RunningServer {
  /** `http://host:port` the server answers on. */
  url: string;
  kubeconfigPath: string;
  close(): Promise<void>;
}

const INITIAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];
const COMPACTION_INTERVAL_MS = 30_000;

/** JSON lines on stdout, written asynchronously (lines that pile up go out in one write). */
function createLogger(level: ServerConfig['logLevel']): Logger {
  return pino({ level }, destination({ sync: false }));
}

export async function startServer(
  config: ServerConfig,
  log: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const address = checkConfig(config);
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const authenticator = config.tokenFile ? await loadTokenAuthenticator(config.tokenFile) : anonymousAdmin;
  const tls = await tlsOf(config, dataDir, address.host);

  const store = await openStore({ url: databaseUrlOf(config) });
  const kinds = new KindRegistry();
  for (const kind of [
    namespaceKind,
    configMapKind,
    secretKind,
    repositoryKind,
    packageRevisionKind,
    packageRevisionResourcesKind,
    porchPackageKind,
    functionConfigKind,
  ]) {
    kinds.register(kind);
  }
  const hub = new ChangeHub(store, await store.currentRv());
  const handlers = new Handlers({ store, hub, bookmarkIntervalMs: config.bookmarkIntervalMs });

  let leading = false;
  const isLeader = (): boolean => leading;
  const controllerDeps = { store, hub, kinds, handlers, isLeader, log };
  const crds = new CrdController(controllerDeps);
  const gc = new GarbageCollector(controllerDeps);
  const namespaces = new NamespaceController(controllerDeps);
  await crds.start();
  gc.start();
  const pool = new RepositoryPool(dataDir, (namespace, name) =>
    handlers.for(secretKind, 'v1').get(namespace, name),
  );

  const repositories = new RepositoryController({
    store,
    hub,
    repositories: handlers.for(repositoryKind, 'v1alpha1'),
    index: {
      packageRevisions: handlers.for(packageRevisionKind, 'v1alpha1'),
      packages: handlers.for(porchPackageKind, 'v1alpha1'),
    },
    isLeader,
    log,
    pool,
    resyncIntervalMs: config.repositorySyncIntervalMs,
  });
  const functionConfigs = new FunctionConfigCache(
    handlers.for(functionConfigKind, 'v1alpha1'),
    hub,
    (err: unknown) => log.error({ err }, 'reading FunctionConfigs failed'),
  );
  await functionConfigs.start();
  const remoteFunctions = config.functionRunner
    ? createRemoteRuntime({ address: config.functionRunner })
    : undefined;
  const packageRevisionDeps: PackageRevisionDeps = {
    // Packages name images only: `exec` steps of a Kptfile never run in the server.
    renderer: createRuntimeChain([
      createBuiltinRuntime(),
      createExecRuntime({ allowExec: false, functionConfigs: functionConfigs.configs }),
      createContainerRuntime(),
      ...(remoteFunctions ? [remoteFunctions] : []),
    ]),
    index: handlers.for(packageRevisionKind, 'v1alpha1'),
    repository: repositoryResolver(pool, handlers.for(repositoryKind, 'v1alpha1')),
    upstreams: new UpstreamMirrors(join(dataDir, 'upstreams')),
    secret: (namespace, name) => handlers.for(secretKind, 'v1').get(namespace, name),
    resync: (namespace, name, packagePath) =>
      repositories
        .syncPackage(namespace, name, packagePath)
        .catch((err: unknown) => log.warn({ err, repository: name, packagePath }, 'resync failed')),
  };
  const packageRevisions = createPackageRevisionHandler(packageRevisionDeps);
  const packageResources = createPackageResourcesHandler(packageRevisionDeps);
  await namespaces.start();
  await repositories.start();

  let compaction: NodeJS.Timeout | undefined;
  const stopCampaign = store.campaign('lading-controllers', (isLeading) => {
    leading = isLeading;
    log.info({ leading }, isLeading ? 'acquired leadership' : 'lost leadership');
    if (compaction) clearInterval(compaction);
    compaction = undefined;
    if (!isLeading) return;
    void repositories.resyncAll().catch((err: unknown) => log.error({ err }, 'repository resync failed'));
    compaction = setInterval(
      () => {
        store
          .compact(config.historyRetentionMs)
          .catch((err: unknown) => log.error({ err }, 'change feed compaction failed'));
      },
      Math.min(COMPACTION_INTERVAL_MS, config.historyRetentionMs),
    );
    compaction.unref();
  });

  await ensureNamespaces(handlers);

  let ready = false;
  let url = '';
  const app = createApiServer({
    kinds,
    handlerFor: (kind, v) =>
      kind === packageRevisionResourcesKind
        ? packageResources
        : kind === packageRevisionKind
          ? packageRevisions
          : handlers.for(kind, v),
    authenticator,
    metrics: createApiMetrics(),
    log,
    ready: () => ready,
    serverAddress: () => url.replace(/^https?:\/\//, ''),
    version: { gitVersion: `v1.32.0-lading.${version}` },
    minRequestTimeoutMs: config.minRequestTimeoutMs,
    ...(tls ? { tls } : {}),
    gitHosting: {
      projectRoot: hostedRepositoriesDir(dataDir),
      home: await prepareGitHome(join(dataDir, 'git-home')),
    },
  });
  await app.listen({ host: address.host, port: address.port });
  const bound = app.server.address();
  const port = typeof bound === 'object' && bound ? bound.port : address.port;
  const host = ['0.0.0.0', '::'].includes(address.host) ? '127.0.0.1' : address.host;
  url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = join(dataDir, 'kubeconfig');
  const token = config.tokenFile ? await firstToken(config.tokenFile) : undefined;
  await writeKubeconfig(kubeconfigPath, url, {
    ...(token ? { token } : {}),
    ...(tls?.selfSigned ? { certificateAuthority: tls.cert } : {}),
  });
  ready = true;
  log.info(
    { url, dataDir, kubeconfig: kubeconfigPath, database: config.databaseUrl ? 'postgres' : 'sqlite' },
    'lading is serving',
  );

  return {
    url,
    kubeconfigPath,
    async close() {
      ready = false;
      if (compaction) clearInterval(compaction);
      await app.close();
      crds.stop();
      gc.stop();
      namespaces.stop();
      await repositories.stop();
      functionConfigs.stop();
      remoteFunctions?.close();
      await stopCampaign();
      hub.close();
      await store.close();
      log.info('lading stopped');
      log.flush();
    },
  };
}

async function ensureNamespaces(handlers: Handlers): Promise<void> {
  const namespaceHandler = handlers.for(namespaceKind, 'v1');
  for (const name of INITIAL_NAMESPACES) {
    try {
      await namespaceHandler.create(
        '',
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
        { fieldManager: 'lading' },
      );
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
}

async function tlsOf(
  config: ServerConfig,
  dataDir: string,
  listenHost: string,
): Promise<{ cert: string; key: string; selfSigned: boolean } | undefined> {
  if (!servesTls(config)) return undefined;
  if (config.tlsCertFile && config.tlsPrivateKeyFile) {
    const [cert, key] = await Promise.all([
      readFile(config.tlsCertFile, 'utf8'),
      readFile(config.tlsPrivateKeyFile, 'utf8'),
    ]);
    return { cert, key, selfSigned: false };
  }
  const wildcard = (h: string): boolean => h === '0.0.0.0' || h === '::';
  const hosts = [...new Set(['localhost', '127.0.0.1', '::1', hostname(), listenHost])].filter(
    (h) => !wildcard(h),
  );
  return { ...(await servingCertificate(dataDir, hosts)), selfSigned: true };
}

async function firstToken(tokenFile: string): Promise<string | undefined> {
  const line = (await readFile(tokenFile, 'utf8'))
    .split(/\r?\n/)
    .find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
  return line?.split(',')[0]?.trim();
}
