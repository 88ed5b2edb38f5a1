/**
 * A default name for this browser in the account's device list, from its user agent:
 * "Firefox on Linux", "Chromium on Linux", "Safari on iPhone". The person can rename it on the
 * devices screen; this is only what the other devices show until then.
 */

const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\bCriOS\//, 'Chrome'],
  [/\bChromium\//, 'Chromium'],
  [/\bHeadlessChrome\//, 'Chromium'],
  [/\bChrome\//, 'Chrome'],
  [/\bSafari\//, 'Safari'],
];

const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'Mac'],
  [/\bLinux\b|\bX11\b/, 'Linux'],
];

function firstMatch(ua: string, table: ReadonlyArray<readonly [RegExp, string]>): string | null {
  for (const [re, name] of table) if (re.test(ua)) return name;
  return null;
}

/**
 * "Browser on System" for a user agent string; "Browser" or "Device on System" when only one is
 * known, "This browser" when neither is. Chromium builds that say only "Chrome/" in their user
 * agent (Debian's does not add "Chromium/") are named as the browser reports itself.
 */
export function deviceNameFromUserAgent(ua: string): string {
  const browser = firstMatch(ua, BROWSERS);
  const system = firstMatch(ua, SYSTEMS);
  if (browser && system) return `${browser} on ${system}`;
  if (browser) return browser;
  if (system) return `Browser on ${system}`;
  return 'This browser';
}

/**
 * This browser's default device name. `userAgentData.brands` tells Chromium from Chrome where
 * the user agent string does not.
 */
export function thisDeviceName(): string {
  const nav = globalThis.navigator as (Navigator & { userAgentData?: { brands?: Array<{ brand: string }> } }) | undefined;
  if (!nav) return 'This browser';
  const name = deviceNameFromUserAgent(nav.userAgent);
  const brands = nav.userAgentData?.brands?.map((b) => b.brand) ?? [];
  if (name.startsWith('Chrome') && brands.includes('Chromium') && !brands.includes('Google Chrome')) return name.replace(/^Chrome/, 'Chromium');
  return name;
}
