/**
 * The browser's connection to the signal server: one WebSocket, reconnected with backoff,
 * resumed with the session token so nobody retypes a password after a server restart.
 * It only carries login, presence and WebRTC signalling; never chat content.
 */
import {
  PROTOCOL_VERSION,
  parseServerMsg,
  type ClientMsg,
  type ServerMsg,
  type IceServer,
  type ErrorCode,
} from '../../../shared/index';

export type ConnectionState =
  /** No session and not trying to get one: the login form shows. */
  | 'logged-out'
  /** Socket opening or credentials in flight. */
  | 'connecting'
  | 'online'
  /** Lost the server; retrying on a timer. */
  | 'reconnecting';

export interface Session {
  username: string;
  token: string;
  expiresAt: number;
  iceServers: IceServer[];
}

export type AuthRequest =
  | { kind: 'login' | 'register'; username: string; password: string }
  | { kind: 'resume'; token: string };

export interface SignalClientEvents {
  state: ConnectionState;
  session: Session;
  /** A login/register/resume attempt failed; the form shows the sentence for `code`. */
  'auth-error': ErrorCode;
  message: ServerMsg;
}

const TOKEN_KEY = 'peerchat.session';
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export interface StoredSession {
  username: string;
  token: string;
}

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
  } catch {
    /* storage disabled or corrupt: fall back to the login form */
  }
  return null;
}

function storeSession(s: StoredSession | null): void {
  try {
    if (s) localStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* private mode without storage: the session just won't survive a reload */
  }
}

export class SignalClient {
  state: ConnectionState = 'logged-out';
  session: Session | null = null;
  /** When the next reconnect attempt happens (ms since epoch), while reconnecting. */
  nextRetryAt = 0;

  /**
   * This device's identity public key (base64url), published with every register/login/resume
   * so peers can look it up. It may still be loading when authentication starts: auth frames
   * wait for it. If it resolves to null (the browser would not keep a key), no auth frame is
   * sent and the client gives up the attempt ('logged-out', stored session kept).
   */
  private identity: Promise<string | null> = Promise.resolve(null);

  private ws: WebSocket | null = null;
  private pending: AuthRequest | null = null;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly listeners = new Map<keyof SignalClientEvents, Set<(v: never) => void>>();

  constructor(private readonly url: string) {}

  on<K extends keyof SignalClientEvents>(type: K, fn: (v: SignalClientEvents[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as (v: never) => void);
    return () => set.delete(fn as (v: never) => void);
  }

  private emit<K extends keyof SignalClientEvents>(type: K, value: SignalClientEvents[K]): void {
    for (const fn of this.listeners.get(type) ?? []) (fn as (v: SignalClientEvents[K]) => void)(value);
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.emit('state', s);
  }

  /** Sets the identity key (or its promise) to publish with the next auth frames. */
  useIdentity(key: Promise<string | null>): void {
    this.identity = key;
  }

  /** Starts a login, registration or token resume; results arrive as events. */
  authenticate(req: AuthRequest): void {
    this.pending = req;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.sendAuth();
    } else {
      this.setState(this.session ? 'reconnecting' : 'connecting');
      this.open();
    }
  }

  /** Sends a frame if the socket is up; returns false when it could not be sent. */
  send(msg: ClientMsg): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN || this.state !== 'online') return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  logout(): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN && this.state === 'online') {
      this.ws.send(JSON.stringify({ type: 'logout' } satisfies ClientMsg));
    }
    this.reset();
  }

  /** Drops the session locally and closes the socket without reconnecting. */
  reset(): void {
    storeSession(null);
    this.session = null;
    this.pending = null;
    clearTimeout(this.retryTimer);
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.setState('logged-out');
  }

  /** Skips the backoff wait (the "Retry now" button). */
  retryNow(): void {
    if (this.state !== 'reconnecting') return;
    clearTimeout(this.retryTimer);
    this.open();
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
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => this.sendAuth();
    ws.onmessage = (ev) => this.onFrame(ev.data);
    ws.onerror = () => {
      /* a close event always follows; handled there */
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.state === 'logged-out') return;
      if (this.session) {
        // Had a session: resume it when the server is back.
        this.pending = { kind: 'resume', token: this.session.token };
        this.scheduleRetry();
      } else if (this.pending?.kind === 'resume') {
        this.scheduleRetry();
      } else {
        // A login attempt that never reached the server: tell the form.
        this.pending = null;
        this.setState('logged-out');
        this.emit('auth-error', 'SERVER_BUSY');
      }
    };
  }

  private scheduleRetry(): void {
    const base = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)] ?? 15000;
    this.attempt++;
    const delay = Math.round(base * (0.75 + Math.random() * 0.5));
    this.nextRetryAt = Date.now() + delay;
    this.setState('reconnecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), delay);
  }

  private sendAuth(): void {
    const req = this.pending;
    const ws = this.ws;
    if (!req || !ws) return;
    void this.identity.then((identityKey) => {
      // Superseded meanwhile (another attempt, a closed socket): that one sends its own frame.
      if (this.ws !== ws || this.pending !== req || ws.readyState !== WebSocket.OPEN) return;
      if (!identityKey) {
        this.pending = null;
        this.ws = null;
        ws.onclose = null;
        ws.close(1000);
        this.setState('logged-out');
        return;
      }
      const msg: ClientMsg =
        req.kind === 'resume'
          ? { type: 'resume', v: PROTOCOL_VERSION, token: req.token, identityKey }
          : { type: req.kind, v: PROTOCOL_VERSION, username: req.username, password: req.password, identityKey };
      ws.send(JSON.stringify(msg));
    });
  }

  private onFrame(data: unknown): void {
    const msg = parseServerMsg(data);
    if (!msg) return; // A malformed frame from the server is ignored, never trusted.
    if (msg.type === 'welcome') {
      this.session = { username: msg.username, token: msg.token, expiresAt: msg.expiresAt, iceServers: msg.iceServers };
      this.pending = null;
      this.attempt = 0;
      storeSession({ username: msg.username, token: msg.token });
      this.setState('online');
      this.emit('session', this.session);
    } else if (msg.type === 'error' && this.state !== 'online' && this.pending) {
      const req = this.pending;
      const wasResume = req.kind === 'resume';
      this.pending = null;
      if (wasResume && (msg.code === 'SERVER_BUSY' || msg.code === 'RATE_LIMITED' || msg.code === 'INTERNAL')) {
        // A transient refusal while resuming: keep the session and try again later.
        this.pending = req;
        this.scheduleRetry();
        return;
      }
      if (wasResume) {
        storeSession(null);
        this.session = null;
      }
      this.setState('logged-out');
      this.emit('auth-error', msg.code);
      return;
    } else if (msg.type === 'logged-out') {
      this.reset();
      return;
    }
    this.emit('message', msg);
  }
}
