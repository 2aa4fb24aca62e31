/**
 * A real PostgreSQL for tests. With `LADING_TEST_POSTGRES_URL` set, a fresh database is created on
 * that server (and dropped by stop()). Otherwise a throwaway cluster is initialised in a temp dir
 * and started on 127.0.0.1 with a free port, tuned for speed (no fsync); stop() kills it and
 * removes the dir. As root (which initdb refuses), the server runs as the `postgres` OS user.
 * When PostgreSQL is not installed, `{skip}` says why; the caller must print it and skip.
 */
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

export interface TestPostgres {
  /** Connection URL of a fresh, empty database. */
  url: string;
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres | { skip: string }> {
  const external = process.env.LADING_TEST_POSTGRES_URL;
  if (external !== undefined && external !== '') return createDatabase(external);
  const bin = findBinDir();
  if (bin === undefined) {
    return {
      skip:
        'PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; ' +
        'install PostgreSQL or set LADING_TEST_POSTGRES_URL',
    };
  }
  const asRoot = process.getuid?.() === 0;
  if (asRoot && !(await hasUser('postgres'))) {
    return { skip: 'running as root and there is no `postgres` OS user to run initdb as' };
  }
  return startCluster(bin, asRoot);
}

/**
 * A fresh schema in the database at `url`, for one store: the returned URL sets `search_path` so
 * that everything the store creates lands in that schema (cheaper than a database per test).
 */
export async function createSchema(url: string, name: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE SCHEMA ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const withSchema = new URL(url);
  withSchema.searchParams.set('options', `-c search_path=${name}`);
  return withSchema.toString();
}

function findBinDir(): string | undefined {
  const candidates = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs
      .readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  return candidates.find(
    (dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl')),
  );
}

async function hasUser(user: string): Promise<boolean> {
  try {
    await run('id', ['-u', user]);
    return true;
  } catch {
    return false;
  }
}

async function startCluster(bin: string, asRoot: boolean): Promise<TestPostgres | { skip: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lading-pg-'));
  const data = path.join(dir, 'data');
  const sockets = path.join(dir, 'sockets');
  fs.mkdirSync(sockets);
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    fs.chownSync(dir, uid, gid);
    fs.chownSync(sockets, uid, gid);
  }
  // As root, every server binary runs as `postgres` through runuser.
  const command = (tool: string, args: string[]): [string, string[]] =>
    asRoot
      ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]]
      : [path.join(bin, tool), args];
  const exec = async (tool: string, args: string[]): Promise<void> => {
    const [file, argv] = command(tool, args);
    await run(file, argv, { cwd: dir });
  };
  const stopNow = (): void => {
    const [file, argv] = command('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    try {
      execFileSync(file, argv, { cwd: dir, stdio: 'ignore' });
    } catch {
      // not running
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    await exec('initdb', [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--no-locale',
      '--no-sync',
    ]);
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      const serverOptions = [
        `-p ${port}`,
        `-k ${sockets}`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        '-c synchronous_commit=off',
        '-c full_page_writes=off',
        '-c max_connections=200',
      ].join(' ');
      try {
        await exec('pg_ctl', [
          'start',
          '-D',
          data,
          '-l',
          path.join(dir, 'server.log'),
          '-w',
          '-t',
          '60',
          '-o',
          serverOptions,
        ]);
        break;
      } catch (err) {
        if (attempt >= 3) throw err; // the port may have been taken between probe and start
      }
    }
    process.once('exit', stopNow); // a test run that dies must not leave the server behind
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop() {
        process.removeListener('exit', stopNow);
        stopNow();
        return Promise.resolve();
      },
    };
  } catch (err) {
    const log = path.join(dir, 'server.log');
    const tail = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').slice(-2000) : '';
    stopNow();
    throw new Error(`starting a test PostgreSQL failed: ${(err as Error).message}\n${tail}`, { cause: err });
  }
}

async function createDatabase(serverUrl: string): Promise<TestPostgres> {
  const name = `lading_test_${process.pid}_${Date.now().toString(36)}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async stop() {
      const client = new Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
