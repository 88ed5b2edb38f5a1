/**
 * HTTPS for LAN use. Browsers only give service workers (install, offline), OPFS and WebCrypto
 * to secure contexts, and a LAN address over plain HTTP is not one.
 *
 * Two ways to get a certificate:
 *  - the user's own files (`--cert`/`--key`): read and checked eagerly by {@link readTlsFiles};
 *  - generated here, once, into `DATA_DIR/tls/` by {@link ensureSelfSignedCertificate}: a small
 *    certificate authority private to this machine ("Peerchat local CA") and a server
 *    certificate it signs for localhost, 127.0.0.1, ::1, the host name and every LAN IPv4 address.
 *    A phone can trust the CA once (needed to install the app there); when the LAN addresses
 *    change, only the server certificate is made again and the phone keeps trusting it.
 *
 * The CA carries critical name constraints (see tls-local-names.ts): it can only vouch for
 * local names and addresses, never for a real website. A CA made by an older Peerchat, without
 * them, is replaced once, and the sentence saying so (devices must install the new CA) is in
 * the result's `notices`, for the log.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { badConfig } from './errors';
import { lanAddresses } from './lan-urls';
import { permitsDns, permitsIp, permittedNamesFor, type PermittedNames } from './tls-local-names';
import { importSigningKey, makeLocalCa, readPermittedNames, signServerCertificate } from './tls-x509';

export interface TlsCredentials {
  /** PEM: the server certificate, optionally followed by its chain. */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface GeneratedCertificate extends TlsCredentials {
  /** PEM of the local CA that signed `cert` (what a phone installs to trust Peerchat). */
  caCert: string;
  /** SHA-256 fingerprints as browsers show them (AA:BB:…). */
  caFingerprint256: string;
  fingerprint256: string;
  /** DNS names and IP addresses the server certificate covers. */
  names: string[];
  /** When the server certificate stops being valid. */
  validTo: Date;
  /** What happened on this start: all made now, only the server certificate renewed, or reused. */
  action: 'created' | 'renewed' | 'reused';
  /** When the CA stops being valid (a new one is made when fewer than 60 days are left). */
  caValidTo: Date;
  /**
   * Sentences for the log (warnings) about something the person running the server must act
   * on: the CA was replaced (devices that trusted the old one must install the new one), or a
   * current address or host name is left out because the CA cannot vouch for it.
   */
  notices: string[];
  files: { caCert: string; caKey: string; cert: string; key: string };
}

const DAY = 24 * 60 * 60 * 1000;
/** Apple rejects server certificates valid for more than 825 days; 397 is also Chrome's public limit. */
const LEAF_DAYS = 397;
/**
 * Two years. Every new CA means installing it again on every device that trusted the old one, so
 * it should outlive a few server certificates (those renew silently); a shorter life bounds how
 * long a forgotten or stolen CA still matters. The name constraints already keep it to local
 * names, so two years (renewed when fewer than 60 days are left) is the balance.
 */
const CA_DAYS = 730;
/** Renew the server certificate when less than this is left. */
const RENEW_BEFORE_DAYS = 30;
/** Renew the CA when less than this is left: early enough for the leaf's own renewal window. */
const CA_RENEW_BEFORE_DAYS = 60;

/** Reads and checks a certificate + key pair the user named. Throws BAD_CONFIG sentences. */
export function readTlsFiles(certFile: string, keyFile: string, sources = { cert: '--cert', key: '--key' }): TlsCredentials {
  const cert = readPem(certFile, sources.cert, 'certificate');
  const key = readPem(keyFile, sources.key, 'private key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch {
    throw badConfig(`${sources.cert}: ${certFile} is not a PEM certificate (it should start with "-----BEGIN CERTIFICATE-----").`);
  }
  let keyObject: ReturnType<typeof createPrivateKey>;
  try {
    keyObject = createPrivateKey(key);
  } catch {
    throw badConfig(`${sources.key}: ${keyFile} is not a readable PEM private key (an encrypted key is not supported).`);
  }
  if (!x509.checkPrivateKey(keyObject)) {
    throw badConfig(`${sources.key}: ${keyFile} is not the private key of the certificate in ${certFile}.`);
  }
  if (Date.parse(x509.validTo) < Date.now()) {
    throw badConfig(`${sources.cert}: the certificate in ${certFile} expired on ${x509.validTo}.`);
  }
  return { cert, key };
}

function readPem(file: string, source: string, what: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code ?? 'error'})`;
    throw badConfig(`${source}: the ${what} file ${file} ${why}.`);
  }
  if (!text.includes('-----BEGIN')) throw badConfig(`${source}: ${file} is not a PEM file (no "-----BEGIN" line).`);
  return text;
}

export interface EnsureOptions {
  /** Host names to cover besides localhost. Default: this machine's host name (and `<name>.local`). */
  hostnames?: string[];
  /** IPv4 addresses to cover besides 127.0.0.1. Default: every LAN IPv4 address. */
  ips?: string[];
  /** For tests. */
  now?: Date;
  /** For tests: the machine's host name (default `os.hostname()`). */
  machineName?: string;
}

/** DNS names and IPs a server certificate made now should cover. */
export function wantedNames(opts: EnsureOptions = {}): { dns: string[]; ips: string[] } {
  const host = (opts.machineName ?? os.hostname()).toLowerCase();
  // A host name with a domain (mybox.fritz.box) is also reached as `mybox` and `mybox.local` on a
  // LAN; names outside the CA's constraints are left out of the certificate later.
  const short = host.split('.')[0] ?? '';
  const hostnames = opts.hostnames ?? (host && host !== 'localhost' ? unique([host, short, `${short}.local`].filter((h) => h && h !== '.local')) : []);
  const dns = unique(['localhost', ...hostnames.map((h) => h.toLowerCase()).filter(isDnsName)]);
  const ips = unique(['127.0.0.1', ...(opts.ips ?? lanAddresses())]);
  return { dns, ips };
}

function isDnsName(s: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/.test(s);
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

/** Parses X509Certificate.subjectAltName ("DNS:a, IP Address:1.2.3.4") into names and IPs. */
export function coveredNames(x509: X509Certificate): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const part of (x509.subjectAltName ?? '').split(/,\s*/)) {
    if (part.startsWith('DNS:')) dns.push(part.slice(4).toLowerCase());
    else if (part.startsWith('IP Address:')) ips.push(part.slice(11));
  }
  return { dns, ips };
}

function tryRead(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** Writes a file atomically (temp + rename), with `mode`. */
function writeFileAtomic(file: string, text: string, mode: number): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

interface Pair {
  cert: string;
  key: string;
  x509: X509Certificate;
}

function loadPair(certFile: string, keyFile: string): Pair | null {
  const cert = tryRead(certFile);
  const key = tryRead(keyFile);
  if (!cert || !key) return null;
  try {
    const x509 = new X509Certificate(cert);
    return x509.checkPrivateKey(createPrivateKey(key)) ? { cert, key, x509 } : null;
  } catch {
    return null;
  }
}

function expiresWithin(x509: X509Certificate, days: number, now: Date): boolean {
  return Date.parse(x509.validTo) - now.getTime() < days * DAY || Date.parse(x509.validFrom) > now.getTime() + DAY;
}

function leafStillGood(leaf: X509Certificate, ca: X509Certificate, want: { dns: string[]; ips: string[] }, now: Date): boolean {
  if (expiresWithin(leaf, RENEW_BEFORE_DAYS, now) || !leaf.checkIssued(ca) || !leaf.verify(ca.publicKey)) return false;
  const has = coveredNames(leaf);
  return want.dns.every((d) => has.dns.includes(d)) && want.ips.every((ip) => has.ips.includes(ip));
}

interface LocalCa extends Pair {
  permitted: PermittedNames;
}

/** The CA on disk if it can still be used, else why not (for the log). */
async function checkCa(ca: Pair | null, caCertFile: string, now: Date): Promise<(LocalCa & { clockBehind: boolean }) | { why: 'none' | 'unreadable' | 'unconstrained' | 'expiring'; old?: X509Certificate }> {
  if (!ca) return { why: fs.existsSync(caCertFile) ? 'unreadable' : 'none' };
  if (!ca.x509.ca) return { why: 'unreadable', old: ca.x509 };
  const permitted = readPermittedNames(ca.cert);
  if (!permitted) return { why: 'unconstrained', old: ca.x509 };
  if (!(await importSigningKey(ca.key))) return { why: 'unreadable', old: ca.x509 };
  // Only the end date renews a CA: a start date in the future means this machine's clock is
  // behind (e.g. a board without a clock, before its time sync), and a CA made now would carry the
  // wrong dates and make every device install it again.
  if (Date.parse(ca.x509.validTo) - now.getTime() < CA_RENEW_BEFORE_DAYS * DAY) return { why: 'expiring', old: ca.x509 };
  return { ...ca, permitted, clockBehind: Date.parse(ca.x509.validFrom) > now.getTime() + DAY };
}

const INSTALL_AGAIN = 'Devices that trusted the old "Peerchat local CA" must install the new one (open /peerchat-ca.crt on this server, check the fingerprint) and can remove the old one.';

/**
 * The generated certificate in `dataDir/tls/`, made on first use and made again when it expires
 * within 30 days, no longer covers every current LAN address and host name, or is unreadable.
 * The CA is made again when it expires within 60 days, is unreadable, or has no name
 * constraints (made by an older Peerchat); `notices` then says so.
 */
export async function ensureSelfSignedCertificate(dataDir: string, opts: EnsureOptions = {}): Promise<GeneratedCertificate> {
  const now = opts.now ?? new Date();
  const dir = path.join(dataDir, 'tls');
  const files = {
    caCert: path.join(dir, 'ca-cert.pem'),
    caKey: path.join(dir, 'ca-key.pem'),
    cert: path.join(dir, 'cert.pem'),
    key: path.join(dir, 'key.pem'),
  };
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw badConfig(`Cannot create ${dir} for the HTTPS certificate: ${(err as Error).message}`);
  }
  const want = wantedNames(opts);
  const host = os.hostname() || 'this computer';
  const notices: string[] = [];
  const notBefore = new Date(now.getTime() - DAY);

  let action: GeneratedCertificate['action'] = 'reused';
  const checked = await checkCa(loadPair(files.caCert, files.caKey), files.caCert, now);
  let ca: LocalCa;
  if ('permitted' in checked) {
    ca = checked;
    if (checked.clockBehind) {
      notices.push(`HTTPS: this computer's clock (${now.toISOString()}) is earlier than the local CA's start (${new Date(checked.x509.validFrom).toISOString()}); kept the CA. Set the clock right: browsers check certificate dates.`);
    }
  } else {
    const permitted = permittedNamesFor({ dns: want.dns, ips: [...want.ips, '::1'] });
    const made = await makeLocalCa(`Peerchat local CA (${host})`, permitted, { notBefore, notAfter: new Date(now.getTime() + CA_DAYS * DAY) });
    writeFileAtomic(files.caKey, made.key, 0o600);
    writeFileAtomic(files.caCert, made.cert, 0o644);
    ca = { ...made, x509: new X509Certificate(made.cert), permitted };
    action = 'created';
    const fingerprint = `SHA-256 ${ca.x509.fingerprint256}`;
    const until = new Date(ca.x509.validTo).toISOString().slice(0, 10);
    if (checked.why === 'unconstrained') {
      notices.push(
        `HTTPS: replaced the local CA in ${dir}: made by an older Peerchat, it could vouch for any website. ` +
          `The new one (${fingerprint}, valid until ${until}) can only vouch for local names and addresses. ${INSTALL_AGAIN}`,
      );
    } else if (checked.why === 'expiring') {
      notices.push(`HTTPS: the local CA expires on ${checked.old ? new Date(checked.old.validTo).toISOString().slice(0, 10) : 'soon'}; made a new one (${fingerprint}, valid until ${until}). ${INSTALL_AGAIN}`);
    } else if (checked.why === 'unreadable') {
      notices.push(`HTTPS: the local CA in ${dir} could not be used (a file is missing or damaged); made a new one (${fingerprint}). ${INSTALL_AGAIN}`);
    }
  }

  // Every name of the server certificate must fall inside the CA's constraints, or browsers
  // refuse it: a name the CA was not made for (a new host name, a new public address) is left
  // out, with a notice.
  const outside = [...want.dns.filter((d) => !permitsDns(ca.permitted, d)), ...want.ips.filter((ip) => !permitsIp(ca.permitted, ip))];
  const names = { dns: want.dns.filter((d) => permitsDns(ca.permitted, d)), ips: want.ips.filter((ip) => permitsIp(ca.permitted, ip)) };
  if (outside.length > 0) {
    notices.push(
      `HTTPS: the certificate does not cover ${outside.join(', ')}: the local CA was made before this computer had ${outside.length === 1 ? 'that name' : 'those names'}, ` +
        `and can only vouch for the local names and addresses it was made for. To cover ${outside.length === 1 ? 'it' : 'them'}, delete ${dir} and restart (devices then install the new CA).`,
    );
  }

  let leaf = loadPair(files.cert, files.key);
  if (!leaf || action === 'created' || !leafStillGood(leaf.x509, ca.x509, names, now)) {
    // Never valid past the CA: a verifier would refuse it then anyway.
    const notAfter = new Date(Math.min(now.getTime() + LEAF_DAYS * DAY, Date.parse(ca.x509.validTo)));
    const made = await signServerCertificate(ca, `Peerchat on ${host}`, { dns: names.dns, ips: [...names.ips, '::1'] }, { notBefore, notAfter });
    writeFileAtomic(files.key, made.key, 0o600);
    writeFileAtomic(files.cert, made.cert, 0o644);
    leaf = { cert: made.cert, key: made.key, x509: new X509Certificate(made.cert) };
    if (action === 'reused') action = 'renewed';
  }
  const covered = coveredNames(leaf.x509);
  return {
    // The chain: browsers that trust the CA need nothing else.
    cert: leaf.cert.trimEnd() + '\n' + ca.cert.trimEnd() + '\n',
    key: leaf.key,
    caCert: ca.cert,
    caFingerprint256: ca.x509.fingerprint256,
    fingerprint256: leaf.x509.fingerprint256,
    names: [...covered.dns, ...covered.ips],
    validTo: new Date(leaf.x509.validTo),
    action,
    caValidTo: new Date(ca.x509.validTo),
    notices,
    files,
  };
}
