/**
 * The account's session with the signalling server: owns the SignalClient and the session state
 * slice, logs in, resumes and logs out, and wires this device's identity key into the login (the
 * key is published with it). Frames from the server and the session's start and end are handed
 * to the owner.
 */
import type { ClientMsg, ServerMsg } from '../../../shared/index';
import { PeerchatError, type AppErrorCode } from '../../../shared/errors';
import type { IdentityKeyPair } from '../../../shared/crypto/index';
import { SignalClient, loadStoredSession, type Session } from '../net/signal-client';
import { DeviceSession, type AuthKind } from '../devices/device-session';
import type { SecurityService } from './security';
import type { AccountHistory } from './account-history';
import { Store } from './store';
import type { SessionState } from './contexts';

export interface SessionCoordinatorDeps {
  security(): SecurityService;
  accountDb(): AccountHistory;
  /**
   * Logged in with our identity loaded: set up what must exist before any await (the peer
   * manager: an offer relayed right after `welcome` must find it).
   */
  loggedIn(s: Session, identity: IdentityKeyPair): void;
  /** The server logged us out (or we did): drop the account's state. */
  loggedOut(): void;
  serverMessage(m: ServerMsg): void;
}

export class SessionCoordinator {
  readonly session = new Store<SessionState>({ connection: 'logged-out', username: null, nextRetryAt: 0, authError: null, localError: null });
  private readonly signal: SignalClient;
  /** This browser as a device of the account: its keys, the account's device list, linking. */
  readonly devices: DeviceSession;

  constructor(
    wsUrl: string,
    private readonly deps: SessionCoordinatorDeps,
  ) {
    this.signal = new SignalClient(wsUrl);
    this.devices = new DeviceSession({
      security: () => this.deps.security(),
      send: (m) => this.signal.send(m),
      loggedOutHere: (code) => {
        this.signal.logout();
        this.showLocalError(code);
      },
      reauthenticate: () => this.reauthenticate(),
    });
    this.signal.on('state', (connection) => {
      this.session.update((s) => ({ ...s, connection, nextRetryAt: this.signal.nextRetryAt }));
      if (connection !== 'online') this.deps.security().serverGone();
      if (connection === 'logged-out') {
        this.devices.reset();
        this.deps.loggedOut();
      }
    });
    this.signal.on('session', (s) => void this.onSession(s));
    this.signal.on('auth-error', (code) => this.session.update((s) => ({ ...s, authError: code })));
    this.signal.on('message', (m) => {
      if (!this.devices.handleServerMessage(m)) this.deps.serverMessage(m);
    });
  }

  send(msg: ClientMsg): boolean {
    return this.signal.send(msg);
  }

  get myName(): string | null {
    return this.signal.session?.username ?? null;
  }

  /**
   * Resumes the session saved on this device, if any. History opens at once from IndexedDB,
   * so it is readable even while the server is unreachable.
   */
  resumeStored(): void {
    const stored = loadStoredSession();
    if (stored) {
      this.session.update((s) => ({ ...s, username: stored.username }));
      void this.deps.accountDb().open(stored.username);
      this.withIdentity(stored.username, 'resume', () => this.signal.authenticate({ kind: 'resume', token: stored.token }));
    }
  }

  login(kind: 'login' | 'register', username: string, password: string): void {
    this.session.update((s) => ({ ...s, authError: null, localError: null }));
    this.withIdentity(username, kind, () => this.signal.authenticate({ kind, username, password }));
  }

  /**
   * Logs in again on a new socket with the stored token, reloading this browser's keys first
   * (a link grant brought the account key: the server must see an approved device).
   */
  reauthenticate(): void {
    const username = this.myName;
    if (!username) return;
    this.withIdentity(username, 'resume', () => this.signal.reauthenticate());
  }

  logout(): void {
    this.signal.logout();
  }

  retryNow(): void {
    this.signal.retryNow();
  }

  showLocalError(code: AppErrorCode): void {
    this.session.update((s) => ({ ...s, localError: code }));
  }

  /**
   * Starts `auth` at once (the UI shows "connecting") while this browser's keys for the account
   * load, or are created on first use; the auth frame waits for them, so the account key (if
   * held), the device id and a first device list are published with the login. Without stored
   * keys no login is sent.
   */
  private withIdentity(username: string, kind: AuthKind, auth: () => void): void {
    const key = this.devices
      .authFields(username, kind)
      .then(
        (fields) => fields,
        (err: unknown) => {
          console.warn('Peerchat: the identity key could not be loaded', err);
          this.showLocalError(err instanceof PeerchatError ? err.code : 'IDENTITY_SETUP_FAILED');
          return null;
        },
      );
    this.signal.useIdentity(key);
    auth();
  }

  private async onSession(s: Session): Promise<void> {
    this.session.update((st) => ({ ...st, username: s.username, authError: null }));
    const opening = this.deps.accountDb().open(s.username);
    // Our identity was loaded before logging in (it is published with the login).
    const keys = this.deps.security().keysFor(s.username);
    // A browser waiting to be linked has no account key yet: no links to contacts until then.
    if (keys && !keys.account) {
      await opening;
      return;
    }
    const identity = keys?.account;
    if (!identity) {
      this.showLocalError('IDENTITY_NOT_LOADED');
      return;
    }
    this.deps.loggedIn(s, identity);
    await opening;
  }
}
