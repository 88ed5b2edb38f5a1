/**
 * Plain HTTP: `/healthz`, the generated certificate's CA (HTTPS mode), the share target's
 * fallback, a hint on `/ws` without an upgrade, and the built web app (static-files.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROTOCOL_VERSION } from '../../shared/limits';
import { SECURITY_HEADERS, send, sendText } from './http-responses';
import type { Logger } from './logger';
import { createStaticFiles, requestPath } from './static-files';

export interface HttpHandlerOptions {
  staticDir: string;
  version: string;
  logger: Logger;
  /**
   * DER of the local CA behind a generated HTTPS certificate, offered at {@link CA_CERT_PATH}; a
   * function when it can change while the server runs (the CA is renewed).
   */
  caCertDer?: Buffer | (() => Buffer | undefined);
  /** Whether a Host header names this server (allowed-hosts.ts); others get 403. Default: all. */
  hostAllowed?: (hostHeader: string | undefined) => boolean;
  /** The client address of a request, for log lines (client-ip.ts). Default: the socket's peer. */
  clientIp?: (req: IncomingMessage) => string;
}

/** The answer to a request naming a host this server does not serve. */
export const HOST_REFUSED_TEXT = 'This server does not answer to that host name. Its operator can add it with --allowed-hosts (ALLOWED_HOSTS).';

/** Where phones download the generated certificate's CA to trust it (HTTPS mode). */
export const CA_CERT_PATH = '/peerchat-ca.crt';
/** The web app manifest's share target; see web/src/pwa/share-store.ts. */
export const SHARE_TARGET_PATH = '/share-target';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export function createHttpHandler(opts: HttpHandlerOptions): Handler {
  const health = JSON.stringify({ status: 'ok', version: opts.version, protocol: PROTOCOL_VERSION });
  const serveStatic = createStaticFiles(opts.staticDir, opts.logger);

  return (req, res) => {
    const head = req.method === 'HEAD';
    const urlPath = requestPath(req.url);
    if (opts.hostAllowed && !opts.hostAllowed(req.headers.host)) {
      // A page under a rebound DNS name gets nothing from this origin, not even the app.
      req.resume();
      opts.logger.warn({ ip: opts.clientIp ? opts.clientIp(req) : req.socket.remoteAddress, host: req.headers.host, path: urlPath }, 'host name not served; refused (see --allowed-hosts)');
      return sendText(res, 403, HOST_REFUSED_TEXT, head, { Connection: 'close' });
    }
    if (req.method === 'POST' && urlPath === SHARE_TARGET_PATH) {
      // The service worker normally answers this. Reaching the server means it was not running
      // (the app was never opened on this device, or not over HTTPS): let the app say so.
      req.resume();
      res.writeHead(303, { ...SECURITY_HEADERS, Location: '/?share=unavailable', 'Cache-Control': 'no-store', 'Content-Length': '0', Connection: 'close' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendText(res, 405, 'Method not allowed', false, { Allow: 'GET, HEAD' });
    }
    if (urlPath === '/healthz') {
      return send(res, 200, 'application/json; charset=utf-8', health, { 'Cache-Control': 'no-store' }, head);
    }
    const der = urlPath === CA_CERT_PATH ? (typeof opts.caCertDer === 'function' ? opts.caCertDer() : opts.caCertDer) : undefined;
    if (der) {
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'Content-Type': 'application/x-x509-ca-cert',
        'Content-Disposition': 'attachment; filename="peerchat-ca.crt"',
        'Content-Length': String(der.length),
        'Cache-Control': 'no-cache',
      });
      res.end(head ? undefined : der);
      return;
    }
    if (urlPath === '/ws') {
      return sendText(res, 426, 'This address is for WebSocket connections.', head, { Upgrade: 'websocket', Connection: 'Upgrade' });
    }
    serveStatic(req, res).catch((err: unknown) => {
      opts.logger.error({ err: (err as Error).message }, 'static handler failed');
      if (!res.headersSent) sendText(res, 500, 'Internal error', head);
      else res.destroy();
    });
  };
}
