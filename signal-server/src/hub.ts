/**
 * The signalling protocol on the server side: every inbound frame of every connection comes
 * through {@link Hub.onFrame}. Frames of one connection are handled strictly in order (a chain
 * of promises), so a `signal` sent right after `login` is handled after the login finished.
 *
 * Behaviour worth knowing (see shared/signal-protocol.ts for the shapes):
 * - A frame that does not parse gets `error BAD_MESSAGE` (or UNSUPPORTED_VERSION when it carries
 *   a `v` other than ours); `ref` is its `type` when that is one of the client types.
 * - Relayed `signal` frames carry `from` = the sender's display name as stored by the server.
 *   The parser strips any client-supplied `from` (valibot objects drop unknown keys) and the
 *   outgoing frame is built from scratch, so it cannot be spoofed.
 * - `lookup` of an unknown user answers `error UNKNOWN_USER` with `ref:'lookup'` and `to` = the
 *   name asked for (not an `identity` frame with a null key): the UI can tell "no such person"
 *   from "this person has not published a key yet" (`identity` with `identityKey: null`).
 * - `logout` deletes the session token, then every connection that logged in with that token
 *   (the tabs of that browser) gets `logged-out` and is closed with 1000 "logged out". To log in
 *   again, open a new connection. Other devices of the same user (other tokens) stay logged in.
 * - A `signal` is never echoed to the sending connection; it goes to all of the target's other
 *   (approved) connections. With none, the answer is `error PEER_OFFLINE` with `to` and `cid`.
 * - Relayed bytes are budgeted per (sender account, target account): past the budget the frame
 *   is dropped and the sender gets `error RATE_LIMITED` (at most one per second), so one sender
 *   cannot bury a person's socket until it is dropped as a slow reader.
 * - An account has at most `maxSessionsPerAccount` logged-in connections; a further login or
 *   resume gets `error TOO_MANY_SESSIONS` (a new login's token is deleted again). It is checked
 *   after the password, so it tells a stranger nothing about the account.
 * - Wrong passwords back off per (account, address group) (login-backoff.ts): while backing off,
 *   a login gets `error RATE_LIMITED` without a hash being spent.
 *
 * Devices (a connection that logs in with a `deviceId`; one without behaves as described above):
 * - welcome carries the account key and device list the server holds; lookup answers carry the
 *   list and the online device ids; presence carries device ids (device-presence.ts).
 * - Approval, signal routing by device and `link` relay: device-routing.ts. Publishing a list,
 *   unlinking and account reset: account-devices.ts. The list checks: device-list-check.ts.
 * - Message requests (`request`): request-relay.ts; relayed to the target's approved
 *   connections, never stored or logged.
 * - Presence modes (`presenceMode`, in `welcome.presence`): presence-audience.ts, device-presence.ts.
 * - Several instances on Redis (`cluster`): cluster-bus.ts, redis-bus.ts. A store that cannot
 *   be reached (Redis away) throws SERVER_BUSY, which the client gets as `error SERVER_BUSY`.
 */
import { usernameKey } from '../../shared/account-rules';
import { PROTOCOL_VERSION, type PresenceMode } from '../../shared/limits';
import { parseClientMsg, type ClientMsg, type IceServer, type ServerMsg } from '../../shared/signal-protocol';
import { AccountDevices } from './account-devices';
import { classifyBadFrame, toText, type RawData } from './frame-text';
import type { Accounts, AuthOk, DeviceListChange } from './accounts';
import type { StoredDeviceList } from './account-store';
import { localBus, type ClusterBus } from './cluster-bus';
import { CLOSE, type Conn } from './connection';
import { isApproved } from './device-list-check';
import { DevicePresence, type PresenceFanoutFactory } from './device-presence';
import { DeviceRouting } from './device-routing';
import { errorCode } from './errors';
import type { IpLimitKey } from './ip-key';
import { usernameTag, type Logger } from './logger';
import type { LoginBackoff } from './login-backoff';
import type { Presence } from './presence';
import { PresenceAudience } from './presence-audience';
import { RequestRelay } from './request-relay';
import type { KeyedLimiter } from './rate-limit';
import type { TestHooks } from './test-hooks';

export interface HubOptions {
  accounts: Accounts;
  logger: Logger;
  iceServers: IceServer[];
  loginTimeoutMs: number;
  /** Per-address-group limit on password attempts (register/login). */
  authLimiter: KeyedLimiter;
  /** The address group of a client address (ip-key.ts; tests may group loopback addresses). */
  ipLimitKey: IpLimitKey;
  /** Failed-password backoff per (account, address group). */
  loginBackoff: LoginBackoff;
  /** Logged-in connections one account may have. */
  maxSessionsPerAccount: number;
  /** Relayed bytes per (sender account, target account); one token per byte. */
  relayLimiter: KeyedLimiter;
  /** Frames allowed to wait behind a slow one (a login) before new ones are refused. */
  maxQueuedFrames: number;
  /** TEST-ONLY hooks (hostile-server tests); undefined in production. */
  testHooks?: TestHooks | undefined;
  /** Sharing with other instances (redis-bus.ts); default: alone (cluster-bus.ts `localBus`). */
  cluster?: ClusterBus | undefined;
  /** Who hears about whom (presence-audience.ts). Default `open`. */
  presenceMode?: PresenceMode | undefined;
  /** Where presence changes go besides this instance's connections (device-presence.ts). Default: nowhere. */
  presenceFanout?: PresenceFanoutFactory | undefined;
}

export class Hub {
  /** Other instances, when there are (cluster-bus.ts). */
  readonly cluster: ClusterBus = this.opts.cluster ?? localBus();
  readonly presence: Presence<Conn> = this.cluster.presence;
  readonly conns = new Set<Conn>();
  /** Who hears about whom (with the in-memory subscription index), and the presence frames. */
  readonly audience: PresenceAudience;
  readonly devicePresence: DevicePresence;
  /** Signal and link relay (device-routing.ts); public for the test hooks' injection. */
  readonly routing: DeviceRouting;
  private readonly devices: AccountDevices;
  /** Message requests (request-relay.ts): relayed, never stored. */
  private readonly requests: RequestRelay;

  constructor(private readonly opts: HubOptions) {
    const { logger, relayLimiter, testHooks, accounts } = opts;
    this.audience = new PresenceAudience(opts.presenceMode ?? 'open', this.presence);
    this.devicePresence = new DevicePresence(this.presence, this.audience, opts.presenceFanout);
    this.routing = new DeviceRouting({
      presence: this.presence,
      relayLimiter,
      logger,
      testHooks,
      sendRateLimited: (conn, extra) => this.sendRateLimited(conn, extra),
    });
    this.requests = new RequestRelay({ presence: this.presence, relayLimiter, logger, sendRateLimited: (conn, extra) => this.sendRateLimited(conn, extra) });
    this.devices = new AccountDevices({
      accounts,
      presence: this.presence,
      devicePresence: this.devicePresence,
      audience: this.audience,
      logger,
      testHooks,
      endSession: (conn, reason) => this.endSession(conn, reason),
      shareChange: (change) => this.cluster.shareDeviceList(change),
    });
    this.cluster.attach({
      presenceChange: (userKey, username, change) => this.clusterPresenceChange(userKey, username, change),
      // The instance that stored the list ended the removed devices' sessions (through stand-ins).
      deviceListChanged: (change: DeviceListChange) => this.devices.apply({ ...change, removed: [] }, undefined, false),
    });
  }

  /** A connection on another instance came, changed or went: announce what that changed here. */
  private clusterPresenceChange(userKey: string, username: string, change: () => void): void {
    const before = this.devicePresence.of(userKey);
    change();
    this.devicePresence.announce(userKey, username, before);
  }

  private get log(): Logger {
    return this.opts.logger;
  }

  /** Starts tracking a new connection and its login deadline. */
  attach(conn: Conn): void {
    conn.ipKey = this.opts.ipLimitKey(conn.ip);
    this.conns.add(conn);
    conn.loginTimer = setTimeout(() => {
      if (conn.user || conn.closing) return;
      this.log.info({ conn: conn.id, ip: conn.ip }, 'login deadline passed');
      conn.sendError('LOGIN_TIMEOUT');
      conn.close(CLOSE.policy, 'login timeout');
    }, this.opts.loginTimeoutMs);
    conn.loginTimer.unref?.();
  }

  /** The socket closed (any reason): forget it, and announce the user offline if it was the last. */
  detach(conn: Conn): void {
    clearTimeout(conn.loginTimer);
    conn.closing = true;
    this.conns.delete(conn);
    this.signOff(conn);
  }

  /** Forgets idle limiter entries (called from the server's housekeeping timer). */
  prune(now: number = Date.now()): void {
    this.opts.authLimiter.prune(now);
    this.opts.relayLimiter.prune(now);
    this.opts.loginBackoff.prune(now);
  }

  /** Sends RATE_LIMITED at most once per second per connection while it is being limited. */
  private sendRateLimited(conn: Conn, extra: { ref?: string; to?: string; cid?: string } = {}): void {
    const now = Date.now();
    if (now - conn.lastRateLimitedAt < 1000) return;
    conn.lastRateLimitedAt = now;
    conn.sendError('RATE_LIMITED', extra);
  }

  private sessionsFull(userKey: string): boolean {
    return this.presence.connections(userKey).size >= this.opts.maxSessionsPerAccount;
  }

  onFrame(conn: Conn, data: RawData, isBinary: boolean): void {
    if (conn.closing) return;
    const verdict = conn.bucket.take();
    if (verdict !== 'ok') {
      if (verdict === 'abuse') {
        this.log.warn({ conn: conn.id, ip: conn.ip, user: conn.user?.username }, 'frame flood; closing');
        conn.sendError('RATE_LIMITED');
        conn.close(CLOSE.policy, 'rate limit exceeded');
      } else {
        // One error per second while limited, not one per dropped frame.
        this.sendRateLimited(conn);
      }
      return;
    }

    if (isBinary) {
      this.enqueue(conn, undefined, () => void conn.sendError('BAD_MESSAGE'));
      return;
    }
    const text = toText(data);
    const msg = parseClientMsg(text);
    if (!msg) {
      const { code, ref } = classifyBadFrame(text);
      this.log.debug({ conn: conn.id, code, ref }, 'bad frame');
      this.enqueue(conn, ref, () => void conn.sendError(code, ref ? { ref } : {}));
      return;
    }
    this.enqueue(conn, msg.type, () => this.handle(conn, msg));
  }

  /**
   * Runs `job` after the frames before it; turns a throw into `error INTERNAL`. With none waiting
   * it runs at once: a relayed frame needs no await, so most frames skip the promise chain.
   */
  private enqueue(conn: Conn, ref: string | undefined, job: () => void | Promise<void>): void {
    if (conn.queued >= this.opts.maxQueuedFrames) return void conn.sendError('RATE_LIMITED', ref ? { ref } : {});
    let pending: Promise<void> | void = undefined;
    if (conn.queued === 0) {
      try {
        pending = job();
      } catch (err) {
        return this.jobFailed(conn, ref, err);
      }
      if (!pending) return;
    }
    conn.queued++;
    conn.chain = (pending ?? conn.chain.then(job))
      .catch((err: unknown) => this.jobFailed(conn, ref, err))
      .finally(() => {
        conn.queued--;
      });
  }

  private jobFailed(conn: Conn, ref: string | undefined, err: unknown): void {
    // The shared store (Redis) unreachable: the client is told to try again, nothing crashed.
    const busy = errorCode(err) === 'SERVER_BUSY';
    if (busy) this.log.warn({ conn: conn.id, ref }, 'store unreachable; answered SERVER_BUSY');
    else this.log.error({ conn: conn.id, ref, err: (err as Error)?.message }, 'frame handler failed');
    conn.sendError(busy ? 'SERVER_BUSY' : 'INTERNAL', ref ? { ref } : {});
  }

  private handle(conn: Conn, msg: ClientMsg): void | Promise<void> {
    if (conn.closing) return;
    switch (msg.type) {
      case 'register':
      case 'login':
      case 'resume':
        return this.authenticate(conn, msg);
      case 'logout':
        return this.logout(conn);
      case 'signal':
        return this.routing.signal(conn, msg);
      case 'link':
        return this.routing.link(conn, msg);
      case 'lookup':
        return this.lookup(conn, msg);
      case 'devices-publish':
        return this.devices.publish(conn, msg);
      case 'account-reset':
        return this.devices.reset(conn, msg);
      case 'request':
        return this.requests.relay(conn, msg);
      case 'presence-subscribe':
        return this.devicePresence.subscribe(conn, msg.users);
    }
  }

  private async authenticate(conn: Conn, msg: Extract<ClientMsg, { type: 'register' | 'login' | 'resume' }>): Promise<void> {
    const ref = msg.type;
    if (conn.user) return void conn.sendError('ALREADY_LOGGED_IN', { ref });
    const group = conn.ipKey;
    if (msg.type !== 'resume' && this.opts.authLimiter.take(group) !== 'ok') {
      this.log.warn({ conn: conn.id, ip: conn.ip }, 'too many password attempts from this address');
      return void conn.sendError('RATE_LIMITED', { ref });
    }
    const account = msg.type === 'resume' ? undefined : usernameKey(msg.username);
    if (msg.type === 'login' && account !== undefined) {
      const wait = this.opts.loginBackoff.check(account, group, Date.now(), msg.deviceId);
      if (!wait.ok) {
        this.log.warn({ conn: conn.id, ip: conn.ip, retryInMs: wait.retryInMs }, 'login backing off after wrong passwords');
        return void conn.sendError('RATE_LIMITED', { ref });
      }
    }
    const { accounts } = this.opts;
    const fields = { identityKey: msg.identityKey, deviceId: msg.deviceId };
    const result =
      msg.type === 'register'
        ? await accounts.register(msg.username, msg.password, fields, group)
        : msg.type === 'login'
          ? await accounts.login(msg.username, msg.password, fields, group)
          : await accounts.resume(msg.token, fields);

    if (msg.type === 'login' && account !== undefined) {
      if (result.ok) this.opts.loginBackoff.succeed(account, group, msg.deviceId);
      else if (result.code === 'BAD_PASSWORD' || result.code === 'UNKNOWN_USER') this.opts.loginBackoff.fail(account, group, Date.now(), msg.deviceId);
    }
    if (!result.ok) {
      this.log.info({ conn: conn.id, ip: conn.ip, ref, code: result.code, userTag: msg.type === 'resume' ? undefined : usernameTag(msg.username) }, 'auth refused');
      conn.sendError(result.code, { ref });
      return;
    }
    if (!conn.isOpen) {
      // Gone while we were hashing: a brand-new token was never delivered, so drop it.
      if (msg.type !== 'resume') await accounts.logout(result.tokenHash);
      return;
    }
    if (this.sessionsFull(result.userKey)) {
      if (msg.type !== 'resume') await accounts.logout(result.tokenHash);
      this.log.warn({ conn: conn.id, ip: conn.ip, sessions: this.presence.connections(result.userKey).size }, 'too many sessions for one account');
      return void conn.sendError('TOO_MANY_SESSIONS', { ref });
    }
    // A list that came with the login is stored before the welcome, so the welcome carries it.
    const published = msg.devices ? await accounts.publishDevices(result.userKey, msg.devices) : undefined;
    if (!conn.isOpen) {
      if (msg.type !== 'resume') await accounts.logout(result.tokenHash);
      if (published?.ok) this.devices.apply(published.change);
      return;
    }
    this.signOn(conn, result, ref, published?.ok ? published.change.stored : result.deviceList);
    if (published) await this.devices.afterLoginPublish(conn, published);
  }

  /** Marks the connection logged in and sends welcome + presence; announces it to the others. */
  private signOn(conn: Conn, auth: AuthOk, how: string, deviceList: StoredDeviceList | null): void {
    clearTimeout(conn.loginTimer);
    const { deviceId } = auth;
    conn.user = { key: auth.userKey, username: auth.username, tokenHash: auth.tokenHash, deviceId, approved: isApproved(deviceId, deviceList) };
    const before = this.devicePresence.of(auth.userKey);
    this.presence.add(auth.userKey, auth.username, conn);
    const welcome: ServerMsg = {
      type: 'welcome',
      v: PROTOCOL_VERSION,
      username: auth.username,
      token: auth.token,
      expiresAt: auth.expiresAt,
      iceServers: this.opts.iceServers,
      presence: this.audience.mode,
    };
    conn.send(deviceId === null ? welcome : { ...welcome, identityKey: auth.identityKey, devices: this.devices.listFor(auth.username, deviceList) });
    conn.send(this.devicePresence.snapshot(conn));
    this.log.info({ conn: conn.id, ip: conn.ip, user: auth.username, how, device: deviceId !== null, approved: conn.user.approved, online: this.presence.onlineCount }, 'logged in');
    this.devicePresence.announce(auth.userKey, auth.username, before, conn);
  }

  /** Takes a connection out of presence (if logged in); announces what that changed. */
  private signOff(conn: Conn): void {
    const user = conn.user;
    if (!user) return;
    const before = this.devicePresence.of(user.key);
    this.devicePresence.unsubscribe(conn);
    conn.user = null;
    if (this.presence.remove(user.key, conn)) this.log.info({ conn: conn.id, user: user.username, online: this.presence.onlineCount }, 'user offline');
    this.devicePresence.announce(user.key, user.username, before, conn);
  }

  /** Ends a logged-in connection whose session is gone: `logged-out`, out of presence, closed. */
  private endSession(conn: Conn, reason: string): void {
    conn.send({ type: 'logged-out' });
    this.signOff(conn);
    conn.close(CLOSE.normal, reason);
  }

  private async logout(conn: Conn): Promise<void> {
    const user = conn.user;
    if (!user) return void conn.sendError('NOT_LOGGED_IN', { ref: 'logout' });
    await this.opts.accounts.logout(user.tokenHash);
    const sameSession = [...this.presence.connections(user.key)].filter((c) => c.user?.tokenHash === user.tokenHash);
    if (!sameSession.includes(conn)) sameSession.push(conn);
    for (const c of sameSession) this.endSession(c, 'logged out');
    this.log.info({ conn: conn.id, user: user.username, connections: sameSession.length }, 'logged out');
  }

  private async lookup(conn: Conn, msg: Extract<ClientMsg, { type: 'lookup' }>): Promise<void> {
    const ref = 'lookup';
    if (!conn.user) return void conn.sendError('NOT_LOGGED_IN', { ref });
    const user = await this.opts.accounts.lookup(msg.username);
    if (!user) return void conn.sendError('UNKNOWN_USER', { ref, to: msg.username });
    const rewrite = this.opts.testHooks?.rewriteIdentityKey;
    const identityKey = rewrite ? rewrite(user.username, user.identityKey) : user.identityKey;
    if (conn.user.deviceId === null) return void conn.send({ type: 'identity', username: user.username, identityKey });
    const devices = this.devices.listFor(user.username, user.deviceList);
    conn.send({ type: 'identity', username: user.username, identityKey, devices, online: this.devicePresence.of(user.usernameKey).devices });
  }

  /** Heartbeat tick: terminate connections that did not answer the previous ping, ping the rest. */
  heartbeat(): void {
    for (const c of this.conns) {
      if (!c.alive) {
        this.log.info({ conn: c.id, user: c.user?.username }, 'no pong; dropping connection');
        c.terminate();
        continue;
      }
      c.alive = false;
      if (c.isOpen) c.ws.ping();
    }
  }
}
