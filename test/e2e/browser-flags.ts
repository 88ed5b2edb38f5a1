// How the e2e browsers are started: executables, timeouts, Chromium flags and Firefox prefs that
// make WebRTC work inside the loopback-only network namespace (test/e2e/run-in-netns.mjs), and
// the certificates a test trusts for HTTPS.

import { X509Certificate, createHash } from 'node:crypto';

export const CHROMIUM_PATH = process.env.PEERCHAT_CHROMIUM ?? '/usr/bin/chromium';
export const FIREFOX_PATH = process.env.PEERCHAT_FIREFOX ?? '/usr/bin/firefox-esr';
export const DEFAULT_VIEWPORT = { width: 1280, height: 800 };
export const DEFAULT_LAUNCH_TIMEOUT_MS = 30_000;
export const DEFAULT_ACTION_TIMEOUT_MS = 10_000;
export const CLOSE_TIMEOUT_MS = 5_000;
export const POLL_MS = 100;

/**
 * Chromium flags for WebRTC in a loopback-only network namespace. Playwright adds --headless, --no-sandbox and its own
 * --disable-features=…; do NOT add a second --disable-features here, it would override Playwright's.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Without this, no ICE candidates at all in a loopback-only namespace (plus the permission grant).
  '--allow-loopback-in-peer-connection',
];

/** Chromium flag trusting the public keys of every certificate in `pems` (base64 SHA-256 of each SPKI). */
export function trustArgs(pems: readonly string[] = []): string[] {
  const hashes = pems
    .flatMap((pem) => pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [])
    .map((one) => createHash('sha256').update(new X509Certificate(one).publicKey.export({ type: 'spki', format: 'der' })).digest('base64'));
  return hashes.length ? [`--ignore-certificate-errors-spki-list=${hashes.join(',')}`] : [];
}

/** Permissions granted to every origin visited on Chromium; camera+microphone make ICE enumerate lo. */
export const CHROMIUM_PERMISSIONS: readonly string[] = ['camera', 'microphone'];

/** Firefox prefs for WebRTC in a loopback-only network namespace. Do NOT set media.peerconnection.ice.default_address_only: it hides the loopback candidates. */
export const FIREFOX_PREFS: Readonly<Record<string, unknown>> = {
  // Both needed for ICE candidates in a loopback-only namespace.
  'media.peerconnection.ice.loopback': true,
  'permissions.default.microphone': 1,
  'permissions.default.camera': 1,
  // No permission prompts, fake devices if the page ever calls getUserMedia.
  'media.navigator.permission.disabled': true,
  'media.navigator.streams.fake': true,
  // Quiet: nothing can leave the namespace anyway, don't waste time trying.
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
};
