/**
 * The cluster bus over Redis (cluster-bus.ts): several instances behind a load balancer share
 * who is online and relay to each other's connections.
 *
 * Keys and channels (under the store's prefix, default `peerchat:`):
 * - `online:<instance>`: hash connection id → `{k, u, d, a, h}` (account key, display name,
 *   device id, approved, session token hash) of every logged-in connection the instance holds.
 *   The key has a TTL (`presenceTtlMs`, default 15 s) that the instance refreshes every third of
 *   it; an instance that dies stops refreshing and its entries vanish with the key.
 * - `instances`: sorted set instance → time of its last refresh (how a starting instance finds
 *   the others).
 * - channel `cluster`: `up`/`down` of a connection, `beat` (every refresh, with counts so a
 *   receiver that missed something reloads that instance's hash), `bye` on a clean shutdown,
 *   `devices` (a stored device list).
 * - channel `instance:<id>`: frames for one of that instance's connections, and closes.
 *
 * An instance that hears no beat from another for `presenceTtlMs` drops that instance's users
 * (and tells its clients they went offline). While Redis is away, nothing here throws: writes
 * are logged and dropped, the others' users fall offline after the TTL, and everything is
 * written again once Redis is back.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { DeviceListChange } from './accounts';
import type { ClusterBus, ClusterHub } from './cluster-bus';
import { ClusterPresence } from './cluster-presence';
import type { Conn, ConnUser } from './connection';
import type { Logger } from './logger';
import { connectRedis } from './redis-connect';
import { RemoteConn, type RemoteLink } from './remote-conn';

export const DEFAULT_PRESENCE_TTL_MS = 15_000;

/** The `redis` option of createSignalServer (server.ts): run as one of several instances. */
export interface RedisOptions {
  /** e.g. redis://127.0.0.1:6379 */
  url: string;
  /** Another instance's users stay online this long without a refresh (default 15 s). */
  presenceTtlMs?: number;
  /** Default: host name, process id and a random part. */
  instanceId?: string;
  /** Prefix of every key and channel (default `peerchat:`). */
  prefix?: string;
}

export interface RedisBusOptions {
  logger: Logger;
  /** Default `peerchat:` (the same as the store's). */
  prefix?: string;
  /** Default: host name, process id and a random part. */
  instanceId?: string;
  /** How long another instance's users stay online without a refresh. Default 15 s. */
  presenceTtlMs?: number;
  connectTimeoutMs?: number;
}

/** A connection as the others see it. */
interface Entry {
  k: string;
  u: string;
  d: string | null;
  a: boolean;
  h: string;
}

type BusMsg =
  | { t: 'up'; i: string; c: string; e: Entry }
  | { t: 'down'; i: string; c: string }
  | { t: 'beat'; i: string; n: number; a: number }
  | { t: 'bye'; i: string }
  | { t: 'devices'; i: string; change: Omit<DeviceListChange, 'listed' | 'removed'> & { listed: string[] } };

interface Peer {
  seenAt: number;
  conns: Map<string, RemoteConn>;
  reloading: boolean;
}

function entryOf(user: ConnUser): Entry {
  return { k: user.key, u: user.username, d: user.deviceId, a: user.approved, h: user.tokenHash };
}

function userOf(e: Entry): ConnUser {
  return { key: e.k, username: e.u, deviceId: e.d, approved: e.a, tokenHash: e.h };
}

export async function openRedisBus(url: string, opts: RedisBusOptions): Promise<ClusterBus> {
  const pub = await connectRedis(url, { logger: opts.logger, name: 'peerchat-bus', connectTimeoutMs: opts.connectTimeoutMs });
  let sub: Redis;
  try {
    sub = await connectRedis(url, { logger: opts.logger, name: 'peerchat-bus-sub', connectTimeoutMs: opts.connectTimeoutMs, offlineQueue: true });
  } catch (err) {
    pub.disconnect();
    throw err;
  }
  const bus = new RedisBus(pub, sub, opts);
  try {
    await bus.start();
  } catch (err) {
    await bus.close();
    throw err;
  }
  return bus;
}

class RedisBus implements ClusterBus, RemoteLink {
  readonly instanceId: string;
  readonly presence: ClusterPresence;
  private hub: ClusterHub | undefined;
  private readonly ttl: number;
  private readonly prefix: string;
  private readonly log: Logger;
  /** This instance's logged-in connections by id, and what was last written for each. */
  private readonly local = new Map<string, Conn>();
  private readonly written = new Map<string, string>();
  private readonly peers = new Map<string, Peer>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private failing = false;
  /** Write the whole hash anew at the next refresh (at start, and after Redis was away). */
  private rewriteAll = true;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    opts: RedisBusOptions,
  ) {
    this.log = opts.logger;
    this.prefix = opts.prefix ?? 'peerchat:';
    this.ttl = opts.presenceTtlMs ?? DEFAULT_PRESENCE_TTL_MS;
    this.instanceId = opts.instanceId ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.presence = new ClusterPresence({
      localAdded: (conn) => this.localAdded(conn),
      localRemoved: (conn) => this.localRemoved(conn),
      remoteRemoved: (conn) => this.peers.get(conn.instance)?.conns.delete(conn.id),
    });
  }

  private get clusterChannel(): string {
    return `${this.prefix}cluster`;
  }
  private channelOf(instance: string): string {
    return `${this.prefix}instance:${instance}`;
  }
  private onlineKey(instance: string): string {
    return `${this.prefix}online:${instance}`;
  }

  async start(): Promise<void> {
    this.sub.on('message', (channel: string, message: string) => this.onMessage(channel, message));
    // After an outage the hash is written anew: it may have expired, and a removal made while
    // Redis was away was lost (left alone, it would show a user online who is not).
    this.pub.on('ready', () => {
      this.rewriteAll = true;
      if (this.timer) void this.refresh();
    });
    await this.sub.subscribe(this.clusterChannel, this.channelOf(this.instanceId));
    await this.refresh();
    const alive = await this.pub.zrangebyscore(`${this.prefix}instances`, Date.now() - this.ttl, '+inf');
    await Promise.all(alive.filter((i) => i !== this.instanceId).map((i) => this.reload(i)));
    this.timer = setInterval(() => void this.refresh(), Math.max(10, Math.floor(this.ttl / 3)));
    this.timer.unref();
    this.log.info({ instance: this.instanceId, peers: this.peers.size, presenceTtlMs: this.ttl }, 'joined the cluster');
  }

  attach(hub: ClusterHub): void {
    this.hub = hub;
  }

  // --- this instance's connections ---------------------------------------------------------

  private localAdded(conn: Conn): void {
    if (!conn.user || this.closed) return;
    this.local.set(conn.id, conn);
    const e = entryOf(conn.user);
    const json = JSON.stringify(e);
    this.written.set(conn.id, json);
    this.run('connection up', (r) =>
      r.multi().hset(this.onlineKey(this.instanceId), conn.id, json).pexpire(this.onlineKey(this.instanceId), this.ttl).publish(this.clusterChannel, this.msg({ t: 'up', i: this.instanceId, c: conn.id, e })).exec(),
    );
  }

  private localRemoved(conn: Conn): void {
    if (!this.local.delete(conn.id) || this.closed) return;
    this.written.delete(conn.id);
    this.run('connection down', (r) =>
      r.multi().hdel(this.onlineKey(this.instanceId), conn.id).publish(this.clusterChannel, this.msg({ t: 'down', i: this.instanceId, c: conn.id })).exec(),
    );
  }

  /** Every third of the TTL: rewrite what changed (approval), keep the hash alive, beat, drop silent peers. */
  private async refresh(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    for (const [id, peer] of this.peers) if (now - peer.seenAt > this.ttl) this.dropPeer(id, 'silent');
    const key = this.onlineKey(this.instanceId);
    const m = this.pub.multi();
    const all = this.rewriteAll;
    if (all) {
      m.del(key);
      this.written.clear();
    }
    let approved = 0;
    for (const [id, conn] of this.local) {
      if (!conn.user) continue;
      if (conn.user.approved) approved++;
      const json = JSON.stringify(entryOf(conn.user));
      if (this.written.get(id) !== json) {
        m.hset(key, id, json);
        this.written.set(id, json);
      }
    }
    m.pexpire(key, this.ttl)
      .zadd(`${this.prefix}instances`, now, this.instanceId)
      .zremrangebyscore(`${this.prefix}instances`, '-inf', now - 10 * this.ttl)
      .publish(this.clusterChannel, this.msg({ t: 'beat', i: this.instanceId, n: this.local.size, a: approved }));
    await this.run('presence refresh', async () => {
      await m.exec();
      if (all) this.rewriteAll = false;
    });
  }

  // --- the others -------------------------------------------------------------------------

  private onMessage(channel: string, message: string): void {
    if (this.closed) return;
    try {
      if (channel === this.clusterChannel) this.onClusterMsg(JSON.parse(message) as BusMsg);
      else this.onDirect(message);
    } catch (err) {
      this.log.error({ channel, err: (err as Error).message }, 'cluster message failed');
    }
  }

  private onClusterMsg(msg: BusMsg): void {
    if (msg.i === this.instanceId) return;
    if (msg.t === 'bye') return this.dropPeer(msg.i, 'left');
    if (msg.t === 'devices') {
      const change = msg.change;
      this.hub?.deviceListChanged({ ...change, listed: new Set(change.listed), removed: [] });
      return;
    }
    const peer = this.peerOf(msg.i);
    peer.seenAt = Date.now();
    if (msg.t === 'up') this.upsert(msg.i, peer, msg.c, msg.e);
    else if (msg.t === 'down') this.removeRemote(peer, msg.c);
    else if (!peer.reloading && (peer.conns.size !== msg.n || [...peer.conns.values()].filter((c) => c.user?.approved).length !== msg.a)) {
      // We missed an up, a down or an approval change (e.g. Redis was away): read it all again.
      void this.reload(msg.i);
    }
  }

  /** Frames for one of our connections: `d<TAB>id<TAB>frame` or `x<TAB>id<TAB>code<TAB>reason`. */
  private onDirect(message: string): void {
    const [kind, id, ...rest] = message.split('\t');
    const conn = this.local.get(id ?? '');
    if (!conn) return;
    if (kind === 'd') conn.sendRaw(rest.join('\t'));
    else if (kind === 'x') conn.close(Number(rest[0]), rest.slice(1).join('\t'));
  }

  private peerOf(instance: string): Peer {
    let peer = this.peers.get(instance);
    if (!peer) {
      peer = { seenAt: Date.now(), conns: new Map(), reloading: false };
      this.peers.set(instance, peer);
    }
    return peer;
  }

  /**
   * Applies a change to another instance's stand-ins and has the hub announce it. Before a hub is
   * attached (start() reads the users already online on the others) there is nobody to tell, but
   * the change must still be made: skipping it left an instance that joined a running cluster
   * blind to everyone already logged in elsewhere (offline to its clients, unreachable for relay).
   */
  private presenceChange(userKey: string, username: string, change: () => void): void {
    if (this.hub) this.hub.presenceChange(userKey, username, change);
    else change();
  }

  private upsert(instance: string, peer: Peer, connId: string, e: Entry): void {
    const existing = peer.conns.get(connId);
    if (existing?.user) {
      const user = existing.user;
      if (user.approved !== e.a) this.presenceChange(e.k, e.u, () => void (user.approved = e.a));
      return;
    }
    const conn = new RemoteConn(instance, connId, userOf(e), this, this.log);
    peer.conns.set(connId, conn);
    this.presenceChange(e.k, e.u, () => this.presence.add(e.k, e.u, conn));
  }

  private removeRemote(peer: Peer, connId: string): void {
    const conn = peer.conns.get(connId);
    peer.conns.delete(connId);
    const user = conn?.user;
    if (!conn || !user) return;
    this.presenceChange(user.key, user.username, () => {
      conn.user = null;
      conn.closing = true;
      this.presence.remove(user.key, conn);
    });
  }

  private dropPeer(instance: string, why: string): void {
    const peer = this.peers.get(instance);
    if (!peer) return;
    this.peers.delete(instance);
    this.log.info({ instance, why, connections: peer.conns.size }, 'instance gone; its users are offline');
    for (const id of [...peer.conns.keys()]) this.removeRemote(peer, id);
  }

  /** Reads another instance's whole hash and brings our stand-ins in line with it. */
  private async reload(instance: string): Promise<void> {
    const peer = this.peerOf(instance);
    peer.reloading = true;
    try {
      const all = await this.pub.hgetall(this.onlineKey(instance));
      if (this.closed || this.peers.get(instance) !== peer) return;
      for (const id of [...peer.conns.keys()]) if (!(id in all)) this.removeRemote(peer, id);
      for (const [id, json] of Object.entries(all)) this.upsert(instance, peer, id, JSON.parse(json) as Entry);
    } catch (err) {
      this.log.warn({ instance, err: (err as Error).message }, 'could not read another instance’s users');
    } finally {
      peer.reloading = false;
    }
  }

  // --- sending ----------------------------------------------------------------------------

  deliverTo(instance: string, connId: string, frame: string): void {
    this.run('relay', (r) => r.publish(this.channelOf(instance), `d\t${connId}\t${frame}`));
  }

  closeRemote(instance: string, connId: string, code: number, reason: string): void {
    this.run('remote close', (r) => r.publish(this.channelOf(instance), `x\t${connId}\t${code}\t${reason}`));
  }

  shareDeviceList(change: DeviceListChange): void {
    const { userKey, username, stored } = change;
    this.run('device list', (r) => r.publish(this.clusterChannel, this.msg({ t: 'devices', i: this.instanceId, change: { userKey, username, stored, listed: [...change.listed] } })));
  }

  private msg(m: BusMsg): string {
    return JSON.stringify(m);
  }

  /** Runs a Redis job without ever throwing: while Redis is away, one warning per outage. */
  private run(what: string, job: (r: Redis) => Promise<unknown>): Promise<void> {
    if (this.closed) return Promise.resolve();
    const failed = (err: unknown): void => {
      if (!this.failing) this.log.warn({ what, err: (err as Error)?.message }, 'cluster bus: Redis unreachable; dropping until it is back');
      this.failing = true;
    };
    try {
      return job(this.pub).then(() => void (this.failing = false), failed);
    } catch (err) {
      failed(err);
      return Promise.resolve();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.run('leave', (r) =>
      r.multi().del(this.onlineKey(this.instanceId)).zrem(`${this.prefix}instances`, this.instanceId).publish(this.clusterChannel, this.msg({ t: 'bye', i: this.instanceId })).exec(),
    );
    this.closed = true;
    clearInterval(this.timer);
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }
}
