/**
 * CLI entry: `npm run serve` (or `npm start`, which builds the web app first).
 * Configuration comes from flags and environment variables, see config.ts / `--help`.
 */
import { loadConfig, USAGE, type Config } from './config';
import { errorCode } from './errors';
import { lanUrls } from './lan-urls';
import { createLogger } from './logger';
import { createSignalServer, type SignalServer } from './server';

function fail(sentence: string): never {
  process.stderr.write(`Peerchat could not start: ${sentence}\n`);
  process.exit(1);
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
      logger,
    });
  } catch (err) {
    const code = errorCode(err);
    if (code === 'EADDRINUSE') fail(`port ${config.port} on ${config.host} is already in use. Stop the other program or pick another port with --port or PORT.`);
    if (code === 'EACCES') fail(`not allowed to listen on port ${config.port}. Ports below 1024 need extra rights; try --port 8080.`);
    if (code === 'EADDRNOTAVAIL') fail(`${config.host} is not an address of this machine. Check --host or HOST.`);
    fail((err as Error).message);
  }

  const port = server.address.port;
  const wildcard = config.host === '0.0.0.0' || config.host === '::';
  const loopback = config.host === 'localhost' || config.host === '127.0.0.1' || config.host === '::1';
  const lines = ['Peerchat is running:'];
  if (wildcard || loopback) lines.push(`  http://localhost:${port}`);
  if (wildcard) for (const url of lanUrls(port)) lines.push(`  ${url}`);
  if (!wildcard && !loopback) lines.push(`  ${server.url}`);
  process.stdout.write(`${lines.join('\n')}\n`);

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
