/**
 * CLI entry. `npm start` builds the web app and bundles this server into
 * signal-server/dist/main.js (signal-server/vite.config.ts), then runs that with plain node;
 * `npm run serve` does the same without rebuilding the web app; `npm run dev` runs this file
 * through tsx. Configuration comes from flags and environment variables, see config.ts / `--help`.
 */
import path from 'node:path';
import { loadConfig, USAGE, type Config } from './config';
import { errorCode } from './errors';
import { startupBanner } from './banner';
import { lanAddresses, preferredLanAddress } from './lan-urls';
import { createLogger } from './logger';
import { createSignalServer, type SignalServer } from './server';

function fail(sentence: string): never {
  process.stderr.write(`Peerchat could not start: ${sentence}\n`);
  process.exit(1);
}

/** `data/tls` rather than `/home/me/peerchat/data/tls` when it is under the working folder. */
function shortPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.argv, process.env);
  } catch (err) {
    fail((err as Error).message);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }

  const logger = createLogger(config.logLevel);
  let server: SignalServer;
  try {
    server = await createSignalServer({
      port: config.port,
      host: config.host,
      dataDir: config.dataDir,
      staticDir: config.staticDir,
      iceServers: config.iceServers,
      allowedHosts: config.allowedHosts,
      trustProxy: config.trustProxy,
      redis: config.redisUrl ? { url: config.redisUrl, presenceTtlMs: config.presenceTtlMs, prefix: config.redisPrefix } : undefined,
      presence: config.presence,
      logger,
      tls: config.tls.mode === 'off' ? undefined : config.tls.mode === 'self-signed' ? { selfSigned: true } : { cert: config.tls.cert, key: config.tls.key },
    });
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use. Stop the other program or pick another port with --port or PORT.`);
    if (code === 'EACCES') fail(`not allowed to listen on port ${config.port}. Ports below 1024 need extra rights; try --port 8080.`);
    if (code === 'EADDRNOTAVAIL') fail(`${config.host} is not an address of this machine. Check --host or HOST.`);
    fail((err as Error).message);
  }

  const preferred = preferredLanAddress();
  const lan = lanAddresses().sort((a, b) => Number(b === preferred) - Number(a === preferred));
  const banner = await startupBanner({
    protocol: server.protocol,
    host: config.host,
    port: server.address.port,
    lan,
    certificate: server.certificate,
    certDir: server.certificate ? shortPath(path.dirname(server.certificate.files.cert)) : undefined,
    // With Redis the accounts are not in the data folder.
    dataDir: config.redisUrl ? undefined : config.dataDir,
  });
  process.stdout.write(banner);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      process.stderr.write('Forced exit.\n');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Error while shutting down: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  fail((err as Error)?.message ?? String(err));
});
