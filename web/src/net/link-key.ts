/**
 * Links are to devices: one per device of a peer account, keyed `${usernameKey}/${deviceId}`.
 * The device id is empty for a peer from before devices (the server names no device for it).
 */

/** The key of the link to one device of an account. */
export function linkKey(conv: string, deviceId: string | null | undefined): string {
  return `${conv}/${deviceId ?? ''}`;
}

/** The account (usernameKey) part of a link key. */
export function convOfLinkKey(key: string): string {
  return key.slice(0, key.lastIndexOf('/'));
}
