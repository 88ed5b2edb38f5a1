/**
 * Command-line and environment configuration for `main.ts`. Flags win over environment
 * variables, which win over defaults. Every value is checked here, eagerly, so a typo fails
 * at start-up with a sentence instead of misbehaving later.
 */
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PRESENCE_MODES, type PresenceMode } from '../../shared/limits';
import { parseIceServers, type IceServer } from '../../shared/signal-protocol';
import { parseAllowedHosts } from './allowed-hosts';
import { parseTrustedProxies } from './client-ip';
import { badConfig } from './errors';
import { DEFAULT_STATIC_DIR } from './paths';
import { readTlsFiles } from './tls';

/** The welcome frame's schema caps the list at 16. */
export const MAX_ICE_SERVERS = 16;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * HTTPS: off; a certificate generated once into `DATA_DIR/tls` (`--https`); or the user's own
 * files (`--cert` + `--key`), already read and checked.
 */
export type TlsConfig =
  | { mode: 'off' }
  | { mode: 'self-signed' }
  | { mode: 'files'; certFile: string; keyFile: string; cert: string; key: string };

export interface Config {
  port: number;
  host: string;
  /** Absolute path of the folder holding peerchat.sqlite. */
  dataDir: string;
  /** Absolute path of the built web app. */
  staticDir: string;
  iceServers: IceServer[];
  logLevel: LogLevel;
  tls: TlsConfig;
  /** Extra host names the server answers to (allowed-hosts.ts). */
  allowedHosts: string[];
  /** Reverse proxies whose X-Forwarded-For is believed (client-ip.ts). */
  trustProxy: string[];
  /** Redis shared by several instances (docs/operations.md); undefined: the embedded SQLite store. */
  redisUrl: string | undefined;
  /** With Redis: how long another instance's users stay online without a refresh, in ms. */
  presenceTtlMs: number;
  /** With Redis: prefix of every key and channel (several deployments can share one Redis). */
  redisPrefix: string;
  /**
   * Who hears about whom (signal-server/src/presence-audience.ts). Default `open` with the
   * embedded store, `contacts` when REDIS_URL is set (many users: presence must cost
   * O(subscribers), not O(everyone online)).
   */
  presence: PresenceMode;
  /** `--help` was given: print {@link USAGE} and exit. */
  help: boolean;
}

export const USAGE = `Usage: npm run serve -- [options]

Options (each also settable by the environment variable in brackets):
  --port <n>            TCP port to listen on, 0-65535 [PORT] (default 8080)
  --host <addr>         address to bind [HOST] (default 0.0.0.0: every interface)
  --data-dir <path>     folder for the account database [DATA_DIR] (default ./data)
  --static-dir <path>   built web app to serve [STATIC_DIR] (default web/dist)
  --ice-servers <json>  JSON array of {urls, username?, credential?} [ICE_SERVERS] (default [])
  --log-level <level>   ${LOG_LEVELS.join(', ')} [LOG_LEVEL] (default info)
  --https               serve HTTPS and WSS with a certificate generated once into
                        <data-dir>/tls (for phones and laptops on the LAN) [HTTPS=1]
  --cert <path>         serve HTTPS with this PEM certificate (chain) instead [TLS_CERT]
  --key <path>          the PEM private key of --cert [TLS_KEY]
  --allowed-hosts <list>  host names the server answers to besides its addresses, localhost
                        and this machine's name; comma-separated, .example.org for a domain
                        and its subdomains, * for any [ALLOWED_HOSTS] (default none)
  --trust-proxy <list>  reverse proxies (addresses or CIDR ranges, comma-separated) whose
                        X-Forwarded-For gives the client address [TRUST_PROXY] (default none)
  --redis-url <url>     run as one of several instances sharing this Redis, e.g.
                        redis://127.0.0.1:6379; accounts live there instead of in
                        <data-dir> [REDIS_URL] (default none: one instance, SQLite)
  --presence-ttl <s>    with Redis: seconds a dead instance's users still look online
                        [PRESENCE_TTL] (default 15)
  --redis-prefix <p>    with Redis: prefix of every key and channel [REDIS_PREFIX]
                        (default peerchat:)
  --presence <mode>     who hears who is online [PRESENCE]: open (everyone hears about
                        everyone: a LAN) or contacts (each client hears only about the
                        people it names, its contacts). Default open, contacts with REDIS_URL
  --help                show this text
`;

type RawKey = Exclude<keyof Config, 'help' | 'tls' | 'presenceTtlMs'> | 'https' | 'cert' | 'key' | 'presenceTtl';

/** The command-line flags, for `node:util` `parseArgs`, and the setting each one feeds. */
const FLAG_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  'static-dir': { type: 'string' },
  'ice-servers': { type: 'string' },
  'log-level': { type: 'string' },
  // A value, so that `--https=false` can override HTTPS=1; a bare `--https` means true.
  https: { type: 'string' },
  cert: { type: 'string' },
  key: { type: 'string' },
  'allowed-hosts': { type: 'string' },
  'trust-proxy': { type: 'string' },
  'redis-url': { type: 'string' },
  'presence-ttl': { type: 'string' },
  'redis-prefix': { type: 'string' },
  presence: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

type FlagName = Exclude<keyof typeof FLAG_OPTIONS, 'help'>;

const FLAG_KEYS: Record<FlagName, RawKey> = {
  port: 'port',
  host: 'host',
  'data-dir': 'dataDir',
  'static-dir': 'staticDir',
  'ice-servers': 'iceServers',
  'log-level': 'logLevel',
  https: 'https',
  cert: 'cert',
  key: 'key',
  'allowed-hosts': 'allowedHosts',
  'trust-proxy': 'trustProxy',
  'redis-url': 'redisUrl',
  'presence-ttl': 'presenceTtl',
  'redis-prefix': 'redisPrefix',
  presence: 'presence',
};

/** Flags that take no value but accept an explicit one (`--https`, `--https=false`). */
const SWITCHES = new Set(['--https']);

const ENV: Record<RawKey, string> = {
  port: 'PORT',
  host: 'HOST',
  dataDir: 'DATA_DIR',
  staticDir: 'STATIC_DIR',
  iceServers: 'ICE_SERVERS',
  logLevel: 'LOG_LEVEL',
  https: 'HTTPS',
  cert: 'TLS_CERT',
  key: 'TLS_KEY',
  allowedHosts: 'ALLOWED_HOSTS',
  trustProxy: 'TRUST_PROXY',
  redisUrl: 'REDIS_URL',
  presenceTtl: 'PRESENCE_TTL',
  redisPrefix: 'REDIS_PREFIX',
  presence: 'PRESENCE',
};

/** Parses the flags strictly: unknown flags, missing values and stray words are errors. */
function parseFlags(args: string[]): { values: Partial<Record<FlagName, string>>; help: boolean } {
  const normalized = args.map((arg) => (SWITCHES.has(arg) ? `${arg}=true` : arg));
  try {
    const { help, ...values } = parseArgs({ args: normalized, options: FLAG_OPTIONS, strict: true, allowPositionals: false }).values;
    return { values, help: help === true };
  } catch (err) {
    throw badConfig(flagProblem(normalized) ?? (err as Error).message);
  }
}

/**
 * The sentence for arguments that strict parsing refused. parseArgs's own messages do not say
 * which flag in our words, so the same arguments are read again leniently, as tokens.
 */
function flagProblem(args: string[]): string | undefined {
  const { tokens } = parseArgs({ args, options: FLAG_OPTIONS, strict: false, allowPositionals: true, tokens: true });
  let previous: (typeof tokens)[number] | undefined;
  for (const token of tokens) {
    if (token.kind === 'positional') {
      // Said by position, never by content: a stray word may be a secret that lost its option
      // (`--ice-servers= '[...credential...]'`), and this sentence ends up in terminals and logs.
      const after = previous?.kind === 'option' ? ` (after ${previous.rawName})` : '';
      return `Unexpected argument in position ${token.index + 1}${after}: options start with --, and a value goes right after its option or as --name=value. Run with --help to see the options.`;
    }
    previous = token;
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(FLAG_OPTIONS, token.name) ? FLAG_OPTIONS[token.name as keyof typeof FLAG_OPTIONS] : undefined;
    if (!spec) return `Unknown option "${token.rawName}". Run with --help to see the options.`;
    if (spec.type === 'boolean' && token.inlineValue) return `Option ${token.rawName} takes no value.`;
    if (spec.type === 'string' && token.value === undefined) return `Option ${token.rawName} needs a value.`;
    if (spec.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      return `Option ${token.rawName} needs a value. For a value that starts with "-", write ${token.rawName}=<value>.`;
    }
  }
  return undefined;
}

/**
 * Reads the configuration. `argv` is `process.argv` as Node gives it: the first two entries
 * (the node binary and the script) are skipped. Throws an Error with `code: 'BAD_CONFIG'`.
 */
export function loadConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  cwd: string = process.cwd(),
): Config {
  const raw: Partial<Record<RawKey, { value: string; source: string }>> = {};
  for (const [key, name] of Object.entries(ENV) as [keyof typeof ENV, string][]) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[key] = { value, source: `${name}` };
  }

  const flags = parseFlags(argv.slice(2));
  for (const [name, value] of Object.entries(flags.values) as [FlagName, string | undefined][]) {
    if (value !== undefined) raw[FLAG_KEYS[name]] = { value, source: `--${name}` };
  }
  const help = flags.help;

  return {
    port: raw.port ? parsePort(raw.port.value, raw.port.source) : 8080,
    host: raw.host ? parseHost(raw.host.value, raw.host.source) : '0.0.0.0',
    dataDir: path.resolve(cwd, raw.dataDir ? nonEmpty(raw.dataDir.value, raw.dataDir.source) : 'data'),
    staticDir: raw.staticDir
      ? path.resolve(cwd, nonEmpty(raw.staticDir.value, raw.staticDir.source))
      : DEFAULT_STATIC_DIR,
    iceServers: raw.iceServers ? parseIceJson(raw.iceServers.value, raw.iceServers.source) : [],
    logLevel: raw.logLevel ? parseLogLevel(raw.logLevel.value, raw.logLevel.source) : 'info',
    tls: parseTls(raw, cwd),
    allowedHosts: raw.allowedHosts ? commaList(raw.allowedHosts.value, raw.allowedHosts.source, parseAllowedHosts) : [],
    trustProxy: raw.trustProxy ? commaList(raw.trustProxy.value, raw.trustProxy.source, parseTrustedProxies) : [],
    redisUrl: raw.redisUrl ? parseRedisUrl(raw.redisUrl.value, raw.redisUrl.source) : undefined,
    redisPrefix: raw.redisPrefix ? nonEmpty(raw.redisPrefix.value, raw.redisPrefix.source).trim() : 'peerchat:',
    presenceTtlMs: raw.presenceTtl ? parseSeconds(raw.presenceTtl.value, raw.presenceTtl.source, 1, 3600) * 1000 : 15_000,
    presence: raw.presence ? parsePresenceMode(raw.presence.value, raw.presence.source) : raw.redisUrl ? 'contacts' : 'open',
    help,
  };
}

/** A comma-separated list, checked whole by `check` (which throws a sentence naming the bad entry). */
function commaList(value: string, source: string, check: (entries: string[], source: string) => unknown): string[] {
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw badConfig(`${source} is a comma-separated list with an empty entry in "${value}".`);
  check(entries, source);
  return entries;
}

function parseBoolean(value: string, source: string): boolean {
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw badConfig(`${source} must be 1 or 0 (true or false), but it is "${value}".`);
}

function parseTls(raw: Partial<Record<RawKey, { value: string; source: string }>>, cwd: string): TlsConfig {
  const https = raw.https ? parseBoolean(raw.https.value, raw.https.source) : undefined;
  const { cert, key } = raw;
  if (cert && !key) throw badConfig(`${cert.source} needs the certificate's private key too: add --key <path> (or TLS_KEY).`);
  if (key && !cert) throw badConfig(`${key.source} needs the certificate too: add --cert <path> (or TLS_CERT).`);
  if (cert && key) {
    if (https === false) throw badConfig(`${cert.source} and ${key.source} turn HTTPS on, but ${raw.https?.source} turns it off. Remove one of them.`);
    const certFile = path.resolve(cwd, nonEmpty(cert.value, cert.source));
    const keyFile = path.resolve(cwd, nonEmpty(key.value, key.source));
    return { mode: 'files', certFile, keyFile, ...readTlsFiles(certFile, keyFile, { cert: cert.source, key: key.source }) };
  }
  return https ? { mode: 'self-signed' } : { mode: 'off' };
}

function parsePort(value: string, source: string): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) > 65535) {
    throw badConfig(`${source} must be a whole number from 0 to 65535, but it is "${value}".`);
  }
  return Number(value);
}

function parseHost(value: string, source: string): string {
  const v = value.trim();
  if (!v || /[\s/]/.test(v)) throw badConfig(`${source} must be an IP address or host name, but it is "${value}".`);
  return v;
}

function parseRedisUrl(value: string, source: string): string {
  const v = value.trim();
  let protocol = '';
  try {
    protocol = new URL(v).protocol;
  } catch {
    // Reported below.
  }
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw badConfig(`${source} must be a URL like redis://127.0.0.1:6379 (or rediss:// for TLS).`);
  return v;
}

function parseSeconds(value: string, source: string, min: number, max: number): number {
  const v = value.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw badConfig(`${source} must be a whole number of seconds from ${min} to ${max}, but it is "${value}".`);
  return Number(v);
}

function nonEmpty(value: string, source: string): string {
  if (!value.trim()) throw badConfig(`${source} must not be empty.`);
  return value;
}

function parseIceJson(value: string, source: string): IceServer[] {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw badConfig(`${source} is not valid JSON. Example: [{"urls":"stun:stun.example.org:3478"}]`);
  }
  try {
    return checkIceServers(json);
  } catch (err) {
    throw badConfig(`${source}: ${(err as Error).message}`);
  }
}

/** Validates an ICE server list (the welcome frame carries at most 16). Throws with a sentence. */
export function checkIceServers(value: unknown): IceServer[] {
  let list: IceServer[];
  try {
    list = parseIceServers(value);
  } catch (err) {
    throw badConfig(`${(err as Error).message}.`);
  }
  if (list.length > MAX_ICE_SERVERS) throw badConfig(`At most ${MAX_ICE_SERVERS} ICE servers can be configured.`);
  return list;
}

function parsePresenceMode(value: string, source: string): PresenceMode {
  const v = value.trim().toLowerCase();
  if (!(PRESENCE_MODES as readonly string[]).includes(v)) {
    throw badConfig(`${source} must be ${PRESENCE_MODES.join(' or ')}, but it is "${value}".`);
  }
  return v as PresenceMode;
}

function parseLogLevel(value: string, source: string): LogLevel {
  const v = value.trim().toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(v)) {
    throw badConfig(`${source} must be one of ${LOG_LEVELS.join(', ')}, but it is "${value}".`);
  }
  return v as LogLevel;
}
