/**
 * The signal server: one HTTP server that serves the built web app and `/healthz`, and upgrades
 * `/ws` to the signalling WebSocket. This file owns the sockets' lifecycle (origin and connection
 * caps on upgrade, heartbeat, shutdown); the protocol itself lives in hub.ts.
 */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import https from 'node:https';
import { X509Certificate } from 'node:crypto';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { ready as sodiumReady } from '../../shared/crypto/sodium';
import { LIMITS, PRESENCE_MODES, type PresenceMode } from '../../shared/limits';
import type { IceServer } from '../../shared/signal-protocol';
import type { AccountStore } from './account-store';
import { buildAccountLimits, type AccountLimitOptions } from './account-limits';
import { Accounts } from './accounts';
import { checkIceServers } from './config';
import { CLOSE, Conn } from './connection';
import { badConfig } from './errors';
import { createHttpHandler, HOST_REFUSED_TEXT } from './http-handler';
import { Hub } from './hub';
import type { PresenceFanoutFactory } from './device-presence';
import { silentLogger, type Logger } from './logger';
import { isHostAllowed, machineNames, parseAllowedHosts } from './allowed-hosts';
import { clientIp, parseTrustedProxies } from './client-ip';
import { isOriginAllowed, normalizeOrigin } from './origin';
import { createPasswordHasher, type ScryptParams } from './password';
import { DEFAULT_STATIC_DIR } from './paths';
import { checkRateLimitOptions, KeyedLimiter, TokenBucket, type RateLimitOptions } from './rate-limit';
import type { RedisOptions } from './redis-bus';
import { openStorage } from './open-storage';
import { SESSION_TTL_MS } from './tokens';
import { ensureSelfSignedCertificate, type GeneratedCertificate, type TlsCredentials } from './tls';
import { startCertificateRenewal, type CertificateRenewal } from './tls-renewal';
import { SERVER_VERSION } from './version';
import { positiveInt, rejectUpgrade } from './upgrade-checks';
import type { TestHooks } from './test-hooks';

export interface SignalServerOptions extends AccountLimitOptions {
  /** TCP port; 0 picks a free one. Default 8080. */
  port?: number;
  /** Address to bind. Default '127.0.0.1' (main.ts passes the configured HOST, default 0.0.0.0). */
  host?: string;
  /** Folder for peerchat.sqlite. Required unless `store` is given. */
  dataDir?: string;
  /** An account store to use instead of opening SQLite in `dataDir`. The caller closes it. */
  store?: AccountStore;
  /** Built web app to serve. Default `<repo>/web/dist`. */
  staticDir?: string;
  /** Sent to clients in `welcome`. Default []. At most 16. */
  iceServers?: IceServer[];
  /** Default: a silent pino logger. */
  logger?: Logger;
  /** Close connections that have not logged in after this long (error LOGIN_TIMEOUT). Default 10 s. */
  loginTimeoutMs?: number;
  /** Ping interval; a connection that did not pong since the previous ping is dropped. Default 30 s. */
  heartbeatMs?: number;
  /** Per-connection frame budget. Default { perSecond: 20, burst: 40, abuseDebt: 80 }. */
  rateLimit?: Partial<RateLimitOptions>;
  /** Per-IP budget of password attempts (register + login). Default { perSecond: 1, burst: 20 }. */
  authRateLimit?: Partial<Pick<RateLimitOptions, 'perSecond' | 'burst'>>;
  /** scrypt parameters for new hashes. Default { N: 2^17, r: 8, p: 1 }. */
  scrypt?: Partial<ScryptParams>;
  /** Password hashes computed at once (default 2) and waiting (default 32; more → SERVER_BUSY). */
  maxConcurrentHashes?: number;
  maxQueuedHashes?: number;
  /** Waiting hashes per address group (default 8) and per account (default 4); more → RATE_LIMITED. */
  maxQueuedHashesPerAddress?: number;
  maxQueuedHashesPerAccount?: number;
  /** WebSocket connections in total (default 10000) and per address group (default 64; see `ipLimitKey`). */
  maxConnections?: number;
  maxConnectionsPerIp?: number;
  /**
   * Origins allowed to open `/ws` besides the default (same host as the Host header, or no Origin
   * header at all). '*' allows any origin.
   */
  allowedOrigins?: string[];
  /**
   * Host names the server answers to besides IP addresses, localhost and this machine's own
   * names (allowed-hosts.ts): exact names, `.example.org` for a domain and its subdomains, '*'
   * for any. Requests naming another host are refused (DNS rebinding).
   */
  allowedHosts?: string[];
  /**
   * Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For header gives the client
   * address (client-ip.ts). Default none: the header is ignored.
   */
  trustProxy?: string[];
  /** A client whose unsent backlog exceeds this is dropped. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Session lifetime; resuming slides it forward. Default 30 days. */
  sessionTtlMs?: number;
  /**
   * An HTTP connection with no traffic for this long is closed: a client that stops reading a
   * download no longer holds the file and its buffers. WebSocket connections are not affected
   * (ws turns the socket timeout off on upgrade; the heartbeat watches them). Default 30 s.
   */
  httpIdleTimeoutMs?: number;
  /**
   * A request (WebSocket upgrades included) whose headers are not complete this long after its
   * first byte is answered 408 and closed, however slowly it trickles bytes in. Default 10 s.
   */
  headersTimeoutMs?: number;
  /**
   * Serve HTTPS and WSS: with this PEM certificate and key, or with a certificate generated once
   * into `dataDir/tls` (`selfSigned`; `hostnames`/`ips` override what it covers, for tests).
   * Default: plain HTTP.
   */
  tls?: TlsCredentials | { selfSigned: true; hostnames?: string[]; ips?: string[] };
  /**
   * Who hears about whom (presence-audience.ts): `open` (default without `redis`), every logged-in connection
   * about every account; `contacts` (default with `redis`), each connection about the accounts it subscribed to.
   */
  presence?: PresenceMode;
  /** Where presence changes go besides this instance's own connections (device-presence.ts). */
  presenceFanout?: PresenceFanoutFactory;
  /** TEST-ONLY: play a hostile or recording server (see test-hooks.ts). Never set in production. */
  testHooks?: TestHooks;
  /**
   * Run as one of several instances sharing Redis (docs/operations.md): accounts, sessions and
   * device lists in Redis instead of SQLite, presence and relay shared over it (redis-bus.ts).
   */
  redis?: RedisOptions;
}


export interface SignalServer {
  /** Where it actually listens (the real port when 0 was asked for). */
  address: { host: string; port: number };
  /** `http://host:port` (a wildcard host is shown as localhost). */
  url: string;
  /** `ws://host:port/ws` (`wss://` with TLS). */
  wsUrl: string;
  /** 'https' when serving TLS. */
  protocol: 'http' | 'https';
  /** The generated certificate being served, in `selfSigned` TLS mode (renewed while running). */
  readonly certificate?: GeneratedCertificate;
  /** Stops listening, closes every socket (1001), and closes the store it opened. Idempotent. */
  close(): Promise<void>;
  /** Live numbers, for tests and diagnostics. */
  stats(): { connections: number; online: number; subscribedConnections: number };
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export async function createSignalServer(opts: SignalServerOptions = {}): Promise<SignalServer> {
  // --- check everything before opening anything -------------------------------------------
  const port = positiveInt('port', opts.port, 8080, 0, 65535);
  const host = opts.host ?? '127.0.0.1';
  if (typeof host !== 'string' || !host.trim()) throw badConfig('host must be a non-empty address.');
  if (!opts.store && !opts.dataDir && !opts.redis) throw badConfig('Either dataDir or store (or redis) must be given.');
  if (opts.redis && (typeof opts.redis.url !== 'string' || !opts.redis.url)) throw badConfig('redis.url must be a Redis URL like redis://127.0.0.1:6379.');
  const presenceTtlMs = opts.redis ? positiveInt('redis.presenceTtlMs', opts.redis.presenceTtlMs, 15_000, 30, 3_600_000) : 0;
  const iceServers = checkIceServers(opts.iceServers ?? []);
  const loginTimeoutMs = positiveInt('loginTimeoutMs', opts.loginTimeoutMs, 10_000, 1, 3_600_000);
  const heartbeatMs = positiveInt('heartbeatMs', opts.heartbeatMs, 30_000, 10, 3_600_000);
  const maxConnections = positiveInt('maxConnections', opts.maxConnections, 10_000);
  const maxConnectionsPerIp = positiveInt('maxConnectionsPerIp', opts.maxConnectionsPerIp, 64);
  const maxBufferedBytes = positiveInt('maxBufferedBytes', opts.maxBufferedBytes, 1024 * 1024, LIMITS.maxFrameBytes);
  const sessionTtlMs = positiveInt('sessionTtlMs', opts.sessionTtlMs, SESSION_TTL_MS);
  const httpIdleTimeoutMs = positiveInt('httpIdleTimeoutMs', opts.httpIdleTimeoutMs, 30_000, 10, 3_600_000);
  const headersTimeoutMs = positiveInt('headersTimeoutMs', opts.headersTimeoutMs, 10_000, 10, 600_000);
  const rateLimit: RateLimitOptions = { perSecond: 20, burst: 40, abuseDebt: 80, ...opts.rateLimit };
  checkRateLimitOptions('rateLimit', rateLimit);
  // Password attempts are refused while over budget but never count as abuse of the socket.
  const authRateLimit: RateLimitOptions = { perSecond: 1, burst: 20, ...opts.authRateLimit, abuseDebt: Number.MAX_SAFE_INTEGER };
  checkRateLimitOptions('authRateLimit', authRateLimit);
  const allowed = new Set<string>();
  for (const o of opts.allowedOrigins ?? []) {
    const n = typeof o === 'string' ? normalizeOrigin(o) : null;
    if (!n) throw badConfig(`allowedOrigins: "${String(o)}" is not an http(s) origin like https://chat.example.org (or '*').`);
    allowed.add(n);
  }
  const presenceMode = opts.presence ?? (opts.redis ? 'contacts' : 'open');
  if (!PRESENCE_MODES.includes(presenceMode)) throw badConfig(`presence must be ${PRESENCE_MODES.join(' or ')}, but it is ${String(presenceMode)}.`);
  const hostPolicy = parseAllowedHosts(opts.allowedHosts ?? []);
  const ownNames = machineNames();
  const hostAllowed = (hostHeader: string | undefined): boolean => isHostAllowed(hostHeader, hostPolicy, ownNames);
  const proxies = parseTrustedProxies(opts.trustProxy ?? []);
  const hasher = createPasswordHasher({
    scrypt: opts.scrypt,
    maxConcurrent: opts.maxConcurrentHashes,
    maxQueued: opts.maxQueuedHashes,
    maxQueuedPerAddress: opts.maxQueuedHashesPerAddress,
    maxQueuedPerAccount: opts.maxQueuedHashesPerAccount,
  });
  const accountLimits = buildAccountLimits(opts);
  const logger = opts.logger ?? silentLogger();
  const staticDir = path.resolve(opts.staticDir ?? DEFAULT_STATIC_DIR);
  let credentials: TlsCredentials | undefined;
  let certificate: GeneratedCertificate | undefined;
  if (opts.tls && 'selfSigned' in opts.tls) {
    if (!opts.dataDir) throw badConfig('A generated HTTPS certificate is kept in dataDir: give dataDir too.');
    certificate = await ensureSelfSignedCertificate(opts.dataDir, { hostnames: opts.tls.hostnames, ips: opts.tls.ips });
    credentials = certificate;
    logger.info({ action: certificate.action, names: certificate.names, validTo: certificate.validTo.toISOString() }, 'HTTPS certificate');
    for (const notice of certificate.notices) logger.warn(notice);
  } else if (opts.tls) {
    if (typeof opts.tls.cert !== 'string' || typeof opts.tls.key !== 'string') throw badConfig('tls needs cert and key as PEM text.');
    credentials = { cert: opts.tls.cert, key: opts.tls.key };
  }
  let caCertDer = certificate ? new X509Certificate(certificate.caCert).raw : undefined;

  // --- open ------------------------------------------------------------------------------
  // Device lists are verified with libsodium (shared/devices/device-list.ts).
  await sodiumReady();
  const { store, cluster, ownsStore } = await openStorage({ store: opts.store, dataDir: opts.dataDir, redis: opts.redis, presenceTtlMs, logger });
  const accounts = new Accounts(store, hasher, sessionTtlMs);
  const authLimiter = new KeyedLimiter(authRateLimit);
  const testHooks = opts.testHooks;
  const hub = new Hub({ accounts, logger, iceServers, loginTimeoutMs, authLimiter, maxQueuedFrames: 64, testHooks, presenceMode, presenceFanout: opts.presenceFanout, cluster, ...accountLimits });
  testHooks?.onControl?.({ injectLink: (username, fromDevice, data, toDevice) => hub.routing.injectLink(username, fromDevice, data, toDevice) });
  const perIp = new Map<string, number>();
  let nextId = 0;
  let closing = false;

  const serverOptions = {
    headersTimeout: headersTimeoutMs,
    requestTimeout: Math.max(30_000, headersTimeoutMs),
    keepAliveTimeout: 5_000,
    // Node looks for requests past these deadlines on this interval (default 30 s, which would let
    // a client that sends a byte now and then hold a socket for up to 40 s instead of 10).
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeoutMs / 4))),
  };
  const handler = createHttpHandler({ staticDir, version: SERVER_VERSION, logger, caCertDer: () => caCertDer, hostAllowed, clientIp: (req) => clientIp(req, proxies) });
  const server: http.Server = credentials
    ? https.createServer({ ...serverOptions, cert: credentials.cert, key: credentials.key }, handler)
    : http.createServer(serverOptions, handler);
  // No callback: Node destroys a socket that times out with no listener to handle it.
  server.setTimeout(httpIdleTimeoutMs);
  if (credentials) {
    // A failed TLS handshake (e.g. a browser that refused the certificate) is routine.
    server.on('tlsClientError', (err: Error & { code?: string }) => logger.debug({ code: err.code }, 'TLS handshake failed'));
  }
  // A generated certificate is renewed while the server runs (tls-renewal.ts), not only at start.
  let renewal: CertificateRenewal | undefined;
  if (certificate && opts.tls && 'selfSigned' in opts.tls) {
    renewal = startCertificateRenewal({
      dataDir: opts.dataDir as string,
      names: { hostnames: opts.tls.hostnames, ips: opts.tls.ips },
      current: certificate,
      apply: (next) => {
        (server as https.Server).setSecureContext({ cert: next.cert, key: next.key });
        caCertDer = new X509Certificate(next.caCert).raw;
      },
      logger,
    });
  }
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: LIMITS.maxFrameBytes,
    perMessageDeflate: false,
    clientTracking: false,
  });

  function onConnection(ws: WebSocket, ip: string): void {
    const group = accountLimits.ipLimitKey(ip);
    perIp.set(group, (perIp.get(group) ?? 0) + 1);
    const conn = new Conn(`c${++nextId}`, ip, ws, new TokenBucket(rateLimit), maxBufferedBytes, logger);
    const tap = testHooks?.tapFrame;
    if (tap) {
      const send = ws.send.bind(ws) as (data: unknown, ...rest: unknown[]) => void;
      (ws as { send: unknown }).send = (data: unknown, ...rest: unknown[]) => {
        tap('out', conn.id, String(data));
        send(data, ...rest);
      };
      ws.on('message', (data) => tap('in', conn.id, Buffer.isBuffer(data) ? data.toString('utf8') : String(data)));
    }
    ws.on('error', (err: Error & { code?: string }) => {
      // ws closes the socket itself after an error (e.g. 1009 for an oversized frame).
      logger.info({ conn: conn.id, user: conn.user?.username, code: err.code }, 'socket error');
    });
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.on('message', (data, isBinary) => hub.onFrame(conn, data, isBinary));
    ws.on('close', (code) => {
      const left = (perIp.get(group) ?? 1) - 1;
      if (left > 0) perIp.set(group, left);
      else perIp.delete(group);
      logger.debug({ conn: conn.id, user: conn.user?.username, code }, 'disconnected');
      hub.detach(conn);
    });
    hub.attach(conn);
    logger.debug({ conn: conn.id, ip }, 'connected');
  }

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const ip = clientIp(req, proxies);
    const pathname = (req.url ?? '').split('?', 1)[0];
    if (pathname !== '/ws') return rejectUpgrade(socket, 404, 'Not found');
    if (closing) return rejectUpgrade(socket, 503, 'The server is shutting down.');
    if (!hostAllowed(req.headers.host)) {
      logger.warn({ ip, host: req.headers.host }, 'host name not served; refused (see --allowed-hosts)');
      return rejectUpgrade(socket, 403, HOST_REFUSED_TEXT);
    }
    const origin = req.headers.origin;
    if (!isOriginAllowed(origin, req.headers.host, allowed)) {
      logger.warn({ ip, origin }, 'cross-origin WebSocket refused');
      return rejectUpgrade(socket, 403, 'This origin may not connect.');
    }
    if (hub.conns.size >= maxConnections) {
      logger.warn({ ip, connections: hub.conns.size }, 'connection cap reached');
      return rejectUpgrade(socket, 503, 'The server is full. Try again later.');
    }
    if ((perIp.get(accountLimits.ipLimitKey(ip)) ?? 0) >= maxConnectionsPerIp) {
      logger.warn({ ip }, 'per-address connection cap reached');
      return rejectUpgrade(socket, 429, 'Too many connections from your address.');
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, ip));
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => {
    logger.debug({ code: err.code }, 'HTTP client error');
    if (socket.writable) rejectUpgrade(socket, 400, 'Bad request');
    else socket.destroy();
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await cluster?.close();
    if (ownsStore) await store.close();
    throw err;
  }
  server.on('error', (err) => logger.error({ err: err.message }, 'HTTP server error'));

  const heartbeat = setInterval(() => hub.heartbeat(), heartbeatMs);
  heartbeat.unref();
  const housekeeping = setInterval(
    () => {
      hub.prune();
      accounts
        .purgeExpired()
        .then((n) => n > 0 && logger.info({ sessions: n }, 'purged expired sessions'))
        .catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'session purge failed'));
    },
    10 * 60 * 1000,
  );
  housekeeping.unref();
  accounts.purgeExpired().catch(() => undefined);

  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? { host: addr.address, port: addr.port } : { host, port };
  const base = `${urlHost(bound.host)}:${bound.port}`;
  logger.info({ host: bound.host, port: bound.port, staticDir, dataDir: opts.dataDir === undefined ? undefined : path.resolve(opts.dataDir) }, 'signal server listening');

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing = true;
    clearInterval(heartbeat);
    clearInterval(housekeeping);
    renewal?.stop();
    // First, so the other instances drop this one's users at once rather than one by one.
    await hub.cluster.close();
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    const conns = [...hub.conns];
    const socketsClosed = Promise.all(
      conns.map((c) => new Promise<void>((resolve) => (c.ws.readyState === c.ws.CLOSED ? resolve() : c.ws.once('close', () => resolve())))),
    );
    for (const c of conns) c.close(CLOSE.goingAway, 'server shutting down');
    await Promise.race([socketsClosed, delay(1000)]);
    for (const c of hub.conns) c.terminate();
    server.closeAllConnections();
    wss.close();
    await serverClosed;
    // Let handlers that were waiting on a hash or the store finish before the store closes.
    await Promise.race([Promise.allSettled(conns.map((c) => c.chain)), delay(2000)]);
    if (ownsStore) await store.close();
    logger.info('signal server stopped');
  }

  return {
    address: bound,
    url: `${credentials ? 'https' : 'http'}://${base}`,
    wsUrl: `${credentials ? 'wss' : 'ws'}://${base}/ws`,
    protocol: credentials ? 'https' : 'http',
    get certificate() {
      return renewal?.current ?? certificate;
    },
    close: () => (closed ??= close()),
    stats: () => ({ connections: hub.conns.size, online: hub.presence.onlineCount, subscribedConnections: hub.audience.subscriptions.size.conns }),
  };
}
