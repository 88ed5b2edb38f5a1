/**
 * TEST-ONLY hooks that let an end-to-end test play a hostile or curious signalling server.
 * Off by default; nothing in main.ts or config.ts can turn them on, only a test that calls
 * createSignalServer({ testHooks }) in-process. They exist to prove that the browsers refuse
 * a server that lies (test/e2e/e2ee.test.ts): rewritten DTLS fingerprints in relayed SDP, or a
 * substituted identity key in `lookup` answers. Never use them for anything else.
 */
import type { SignalData } from '../../shared/signal-protocol';

export interface TestHooks {
  /** Rewrites signal data relayed from `from` to `to` (display names). Return it unchanged to pass it on. */
  rewriteSignal?(from: string, to: string, data: SignalData): SignalData;
  /** Rewrites the identity key a `lookup` of `username` answers with (null: the user published none). */
  rewriteIdentityKey?(username: string, key: string | null): string | null;
  /** Sees every text frame the server receives ('in') or sends ('out'), e.g. to look for leaks. */
  tapFrame?(direction: 'in' | 'out', connId: string, frame: string): void;
}
