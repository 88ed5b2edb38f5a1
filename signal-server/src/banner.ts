/**
 * The start-up text of `main.ts`: every URL the server answers on, the data folder, a QR code of
 * the main LAN URL for phones, and what to expect from the HTTPS certificate.
 */
import QRCode from 'qrcode';
import { CA_CERT_PATH } from './http-handler';
import type { GeneratedCertificate } from './tls';

export interface BannerInput {
  protocol: 'http' | 'https';
  /** The configured bind address (0.0.0.0 / :: = every interface). */
  host: string;
  port: number;
  /** LAN IPv4 addresses of this machine, the preferred one first. */
  lan: string[];
  /** Set when the certificate was generated (not the user's own). */
  certificate?: GeneratedCertificate;
  /** Where the generated certificate lives, for the sentence about it. */
  certDir?: string;
  /**
   * The folder holding the account database, absolute: the default `./data` follows the working
   * folder, so a start from elsewhere opens a new, empty database, and this line shows it.
   */
  dataDir?: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1']);

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startupBanner(b: BannerInput): Promise<string> {
  const wildcard = b.host === '0.0.0.0' || b.host === '::';
  const loopback = LOOPBACK.has(b.host);
  const url = (h: string) => `${b.protocol}://${hostForUrl(h)}:${b.port}`;
  const lanUrls = wildcard ? b.lan.map(url) : !loopback ? [url(b.host)] : [];
  const lines = [`Peerchat is running${b.protocol === 'https' ? ' (HTTPS)' : ''}:`];
  if (wildcard || loopback) lines.push(`  ${url('localhost')}   (this computer)`);
  for (const u of lanUrls) lines.push(`  ${u}`);
  if (b.dataDir) lines.push('', `Data folder (accounts): ${b.dataDir}`);

  const main = lanUrls[0];
  if (main) {
    lines.push('', `On a phone or another computer on the same network, open ${main}`, 'or scan this code with the camera:', '');
    lines.push((await QRCode.toString(main, { type: 'terminal', small: true })).trimEnd());
  } else if (loopback) {
    lines.push('', `Only this computer can connect (host ${b.host}). Use --host 0.0.0.0 to let the LAN in.`);
  } else {
    lines.push('', 'No LAN address found: connect this computer to a network to chat from other devices.');
  }

  if (b.protocol === 'http' && lanUrls.length > 0) {
    lines.push(
      '',
      'Note: over plain HTTP, browsers on other devices will not install Peerchat or open it offline.',
      'For LAN use start with --https (see "LAN use" in README.md).',
    );
  }
  const cert = b.certificate;
  if (cert) {
    lines.push(
      '',
      `HTTPS certificate: made by this computer${b.certDir ? ` (${b.certDir})` : ''}, valid until ${cert.validTo.toISOString().slice(0, 10)}.`,
      'Browsers warn that it is not trusted at first: that is expected on a LAN (see "LAN use" in README.md).',
      `To trust it on a device (needed to install the app there), open ${main ?? url('localhost')}${CA_CERT_PATH}`,
      'on it and install it as a CA certificate, after checking that its SHA-256 fingerprint is',
      `  ${cert.caFingerprint256}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
