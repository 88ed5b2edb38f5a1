/**
 * TEST-ONLY hooks that let an end-to-end test play a hostile or curious signalling server.
 * Off by default; nothing in main.ts or config.ts can turn them on, only a test that calls
 * createSignalServer({ testHooks }) in-process. They exist to prove that the browsers refuse
 * a server that lies (test/e2e/e2ee.test.ts): rewritten DTLS fingerprints in relayed SDP, a
 * substituted identity key in `lookup` answers, forged device lists, forged or tampered linking
 * messages. Never use them for anything else.
 */
import type { SignedDeviceList } from '../../shared/devices/device-list';
import type { ClientMsg, SignalData } from '../../shared/signal-protocol';

/** The `data` of a linking frame (shared/devices/link-messages.ts parses it in the browser). */
export type LinkData = Extract<ClientMsg, { type: 'link' }>['data'];

/** What a test can make the server do, handed to {@link TestHooks.onControl} once it is listening. */
export interface TestControl {
  /**
   * Sends a forged `link {fromDevice, data}` to the connections of `username`'s account that have a
   * device id (only to `toDevice` when given), approved or not, as if another device had sent it.
   * Returns how many connections it was sent to.
   */
  injectLink(username: string, fromDevice: string, data: LinkData, toDevice?: string): number;
}

export interface TestHooks {
  /** Rewrites signal data relayed from `from` to `to` (display names). Return it unchanged to pass it on. */
  rewriteSignal?(from: string, to: string, data: SignalData): SignalData;
  /** Rewrites the identity key a `lookup` of `username` answers with (null: the user published none). */
  rewriteIdentityKey?(username: string, key: string | null): string | null;
  /**
   * Rewrites the device list of `username` the server hands out in `identity` (lookup), `welcome`
   * and `devices` frames (null: the account has none). Return it unchanged to pass it on.
   */
  rewriteDevices?(username: string, devices: SignedDeviceList | null): SignedDeviceList | null;
  /**
   * Sees every `link` frame relayed between the devices of `username` (`toDevice` undefined: to all
   * of them) and may replace its data; return null to drop it, the data unchanged to pass it on.
   */
  rewriteLink?(username: string, fromDevice: string, toDevice: string | undefined, data: LinkData): LinkData | null;
  /** Sees every text frame the server receives ('in') or sends ('out'), e.g. to look for leaks. */
  tapFrame?(direction: 'in' | 'out', connId: string, frame: string): void;
  /** Called once when the server starts, with the controls a test uses to inject frames. */
  onControl?(control: TestControl): void;
}
