/**
 * Asks the signal server for a contact's published identity key (`lookup` → `identity`, or
 * `error UNKNOWN_USER`). Answers carry no request id, so they are matched by username; lookups
 * of one name that overlap share one request. The server's answer is only a claim: the caller
 * pins it on first contact and compares it with the pin afterwards.
 */
import { usernameKey, type ClientMsg, type ServerMsg } from '../../../shared/index';

export type LookupResult =
  /** The published key (base64url), or null if the account has none. */
  | { ok: true; identityKey: string | null }
  | { ok: false; reason: 'unknown-user' | 'unreachable' };

const TIMEOUT_MS = 8000;

interface Pending {
  promise: Promise<LookupResult>;
  resolve: (r: LookupResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class KeyDirectory {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly send: (msg: ClientMsg) => boolean) {}

  lookup(username: string): Promise<LookupResult> {
    const key = usernameKey(username);
    const existing = this.pending.get(key);
    if (existing) return existing.promise;
    let resolve!: (r: LookupResult) => void;
    const promise = new Promise<LookupResult>((r) => (resolve = r));
    const timer = setTimeout(() => this.settle(key, { ok: false, reason: 'unreachable' }), TIMEOUT_MS);
    this.pending.set(key, { promise, resolve, timer });
    if (!this.send({ type: 'lookup', username })) this.settle(key, { ok: false, reason: 'unreachable' });
    return promise;
  }

  /** Feeds a server frame; true if it was the answer to a lookup. */
  handle(msg: ServerMsg): boolean {
    if (msg.type === 'identity') {
      return this.settle(usernameKey(msg.username), { ok: true, identityKey: msg.identityKey });
    }
    if (msg.type === 'error' && msg.ref === 'lookup') {
      if (msg.code === 'UNKNOWN_USER' && msg.to) return this.settle(usernameKey(msg.to), { ok: false, reason: 'unknown-user' });
      // Any other refusal (rate limit, not logged in): fail every lookup in flight.
      for (const key of [...this.pending.keys()]) this.settle(key, { ok: false, reason: 'unreachable' });
      return true;
    }
    return false;
  }

  /** The server connection is gone: nothing in flight will be answered. */
  failAll(): void {
    for (const key of [...this.pending.keys()]) this.settle(key, { ok: false, reason: 'unreachable' });
  }

  private settle(key: string, result: LookupResult): boolean {
    const p = this.pending.get(key);
    if (!p) return false;
    clearTimeout(p.timer);
    this.pending.delete(key);
    p.resolve(result);
    return true;
  }
}
