/**
 * The browser's connection to the signal server: one WebSocket, reconnected with backoff,
 * resumed with the session token so nobody retypes a password after a server restart.
 * It only carries login, presence and WebRTC signalling; never chat content. When to open,
 * retry, resume or give up is the pure machine in shared/session/signal-connection-machine.ts;
 * this class owns the socket, the timer and the stored session, and runs that machine's effects.
 */
import { PROTOCOL_VERSION, parseServerMsg, type ClientMsg, type ServerMsg, type ErrorCode } from '../../../shared/index';
import type { SignedDeviceList } from '../../../shared/devices/device-list';
import {
  initialSignalState,
  stepSignal,
  type AuthRequest,
  type ConnectionState,
  type Session,
  type SignalEffect,
  type SignalEvent,
  type SignalState,
  type StoredSession,
} from '../../../shared/session/signal-connection-machine';

export type { AuthRequest, ConnectionState, Session, StoredSession } from '../../../shared/session/signal-connection-machine';

/** The fields of an auth frame that name this browser and its account key. */
export interface AuthDeviceFields {
  identityKey?: string;
  deviceId?: string;
  devices?: SignedDeviceList;
}

export interface SignalClientEvents {
  state: ConnectionState;
  session: Session;
  /** A login/register/resume attempt failed; the form shows the sentence for `code`. */
  'auth-error': ErrorCode;
  message: ServerMsg;
}

const TOKEN_KEY = 'peerchat.session';

/**
 * The session (username + token) lives in localStorage, like any messenger that keeps you
 * signed in on your own device: reloads, new tabs and an installed app resume without a
 * password, and history can be shown before the server answers (or while it is down).
 * The token is never put in a URL; logging out deletes it here and on the server.
 */
export function loadStoredSession(): StoredSession | null {
  try {
    const raw = localStorage.getItem(TOKEN_KEY);
    if (!raw) return null;
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object' && typeof (v as StoredSession).token === 'string' && typeof (v as StoredSession).username === 'string') {
      return { username: (v as StoredSession).username, token: (v as StoredSession).token };
    }
  } catch (e) {
    console.warn('signal client: stored session unreadable, showing the login form', e instanceof Error ? e.name : e);
  }
  return null;
}

function storeSession(s: StoredSession | null): void {
  try {
    if (s) localStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    else localStorage.removeItem(TOKEN_KEY);
  } catch (e) {
    // Private mode without storage: the session just won't survive a reload.
    console.warn('signal client: could not store the session', e instanceof Error ? e.name : e);
  }
}

export class SignalClient {
  private machine: SignalState = initialSignalState();

  /**
   * What names this browser in every register/login/resume: the account key (base64url, so
   * peers can look it up; absent while this browser waits to be linked), the device id, and the
   * account's first device list when this browser publishes it. It may still be loading when
   * authentication starts: auth frames wait for it. If it resolves to null (the browser would
   * not keep a key), no auth frame is sent and the client gives up the attempt ('logged-out',
   * stored session kept).
   */
  private identity: Promise<AuthDeviceFields | null> = Promise.resolve(null);

  private ws: WebSocket | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Map<keyof SignalClientEvents, Set<(v: never) => void>>();

  constructor(private readonly url: string) {}

  get state(): ConnectionState {
    return this.machine.connection;
  }

  get session(): Session | null {
    return this.machine.session;
  }

  /** When the next reconnect attempt happens (ms since epoch), while reconnecting. */
  get nextRetryAt(): number {
    return this.machine.nextRetryAt;
  }

  on<K extends keyof SignalClientEvents>(type: K, fn: (v: SignalClientEvents[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  private emit<K extends keyof SignalClientEvents>(type: K, value: SignalClientEvents[K]): void {
    for (const fn of this.listeners.get(type) ?? []) (fn as (v: SignalClientEvents[K]) => void)(value);
  }

  /** Sets the device fields (or their promise) to publish with the next auth frames. */
  useIdentity(fields: Promise<AuthDeviceFields | null>): void {
    this.identity = fields;
  }

  /**
   * Logs in again on a new socket with the stored token (after this browser's keys changed, so
   * the server sees the new fields). Nothing happens without a session.
   */
  reauthenticate(): void {
    const token = this.machine.session?.token;
    if (token) this.dispatch({ type: 'authenticate', req: { kind: 'resume', token }, socketOpen: false });
  }

  /** Starts a login, registration or token resume; results arrive as events. */
  authenticate(req: AuthRequest): void {
    this.dispatch({ type: 'authenticate', req, socketOpen: this.socketOpen() });
  }

  /** Sends a frame if the socket is up; returns false when it could not be sent. */
  send(msg: ClientMsg): boolean {
    if (!this.ws || !this.socketOpen() || this.state !== 'online') return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  logout(): void {
    this.dispatch({ type: 'logout' });
  }

  /** Drops the session locally and closes the socket without reconnecting. */
  reset(): void {
    this.dispatch({ type: 'reset' });
  }

  /** Skips the backoff wait (the "Retry now" button). */
  retryNow(): void {
    this.dispatch({ type: 'retry-now' });
  }

  private socketOpen(): boolean {
    return this.ws !== null && this.ws.readyState === WebSocket.OPEN;
  }

  private dispatch(event: SignalEvent): void {
    const { state, effects } = stepSignal(this.machine, event);
    this.machine = state;
    for (const effect of effects) this.run(effect);
  }

  private run(effect: SignalEffect): void {
    switch (effect.type) {
      case 'open-socket':
        return this.open();
      case 'close-socket': {
        const ws = this.ws;
        this.ws = null;
        ws?.close(1000);
        return;
      }
      case 'send-auth':
        return this.sendAuth(effect.req);
      case 'send':
        if (this.ws && this.socketOpen()) this.ws.send(JSON.stringify(effect.msg));
        return;
      case 'set-timer':
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.dispatch({ type: 'retry-timer' }), effect.ms);
        return;
      case 'clear-timer':
        return clearTimeout(this.retryTimer);
      case 'store-session':
        return storeSession(effect.session);
      case 'state':
        return this.emit('state', effect.state);
      case 'session':
        return this.emit('session', effect.session);
      case 'auth-error':
        return this.emit('auth-error', effect.code);
      case 'message':
        return this.emit('message', effect.msg);
    }
  }

  private open(): void {
    const prev = this.ws;
    if (prev) {
      prev.onclose = prev.onmessage = prev.onopen = prev.onerror = null;
      prev.close();
    }
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (e) {
      console.warn('signal client: could not open the socket', e instanceof Error ? e.name : e);
      this.dispatch({ type: 'open-failed', now: Date.now(), random: Math.random() });
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.dispatch({ type: 'socket-opened' });
    ws.onmessage = (ev) => {
      const msg = parseServerMsg(ev.data);
      // A malformed frame from the server is ignored, never trusted.
      if (msg) this.dispatch({ type: 'server-msg', msg, now: Date.now(), random: Math.random() });
    };
    ws.onerror = () => {
      /* a close event always follows; handled there */
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.dispatch({ type: 'socket-closed', now: Date.now(), random: Math.random() });
    };
  }

  private sendAuth(req: AuthRequest): void {
    const ws = this.ws;
    if (!ws) return;
    void this.identity.then((fields) => {
      // Superseded meanwhile (another attempt, a closed socket): that one sends its own frame.
      if (this.ws !== ws || this.machine.pending !== req || ws.readyState !== WebSocket.OPEN) return;
      if (!fields) return this.dispatch({ type: 'identity-missing' });
      const msg: ClientMsg =
        req.kind === 'resume'
          ? { type: 'resume', v: PROTOCOL_VERSION, token: req.token, ...fields }
          : { type: req.kind, v: PROTOCOL_VERSION, username: req.username, password: req.password, ...fields };
      ws.send(JSON.stringify(msg));
    });
  }
}
