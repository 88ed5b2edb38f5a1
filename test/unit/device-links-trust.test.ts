// Links to my own devices and to contacts' devices (web/src/state/link-coordinator.ts, with a
// fake peer manager): which key a peer's handshake is verified with, and which links stay up
// when a device list changes.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateIdentity, ready, type IdentityKeyPair } from '../../shared/crypto/index';
import { LinkCoordinator, type LinkCoordinatorDeps, type LinkManager } from '../../web/src/state/link-coordinator';
import type { PeerManagerOptions } from '../../web/src/net/peer-manager';
import type { SecurityService } from '../../web/src/state/security';
import type { PeerLink } from '../../web/src/net/peer-link';

let held: IdentityKeyPair;
let attacker: IdentityKeyPair;

before(async () => {
  await ready();
  held = generateIdentity();
  attacker = generateIdentity();
});

interface FakeLink {
  peerName: string;
  peerDeviceId: string | null;
  key: string;
  state: string;
  destroyed: number;
  sent: unknown[];
  session: { peer: { deviceId: string | null; devices: { version: number } | null } | null };
  send(m: unknown): boolean;
  destroy(): void;
}

function fakeLink(conv: string, device: string, version: number): FakeLink {
  const link: FakeLink = {
    peerName: conv,
    peerDeviceId: device,
    key: `${conv}/${device}`,
    state: 'ready',
    destroyed: 0,
    sent: [],
    session: { peer: { deviceId: device, devices: { version } } },
    send(m) {
      if (this.state !== 'ready') return false;
      this.sent.push(m);
      return true;
    },
    destroy() {
      this.destroyed++;
      this.state = 'closed';
    },
  };
  return link;
}

function setup(opts: { heldKey?: Uint8Array | null; known?: Map<string, { version: number; ids: string[] }> } = {}) {
  const lookups: string[] = [];
  const connects: string[] = [];
  const links: FakeLink[] = [];
  let managerOpts: PeerManagerOptions | null = null;
  const security = {
    // The directory (the server) answers with a key of its own for every name, mine included.
    resolvePeerKey: async (name: string) => {
      lookups.push(name);
      return attacker.publicKey;
    },
    get: () => ({ pinnedKey: null, verified: false, pendingKey: null, sessionError: null }),
    setSessionError: () => undefined,
    recheck: async (name: string) => {
      lookups.push(name);
      return false;
    },
  } as unknown as SecurityService;
  const manager: LinkManager = {
    myName: 'Alice',
    get: (key: string) => links.find((l) => l.key === key) as unknown as PeerLink | undefined,
    linksOf: (conv: string) => links.filter((l) => l.key.startsWith(`${conv}/`) && l.state !== 'closed') as unknown as PeerLink[],
    readyLinksOf: (conv: string) => links.filter((l) => l.key.startsWith(`${conv}/`) && l.state === 'ready') as unknown as PeerLink[],
    connect: (name: string, device: string | null) => void connects.push(`${name}/${device}`),
    handleSignal: (from: string, dev: string | undefined) => void connects.push(`signal ${from}/${dev}`),
    handleUndeliverable: () => undefined,
    peerOffline: () => undefined,
    destroyAll: () => undefined,
  } as unknown as LinkManager;
  const deps: LinkCoordinatorDeps = {
    security,
    ownAccountKey: () => (opts.heldKey === undefined ? held.publicKey : opts.heldKey),
    createManager: (o) => ((managerOpts = o), manager),
    knownDevices: (conv: string) => opts.known?.get(conv) ?? null,
    sendSignal: () => true,
    local: () => null,
    minListVersion: async () => 3,
    peerDevices: () => undefined,
    isOnline: () => true,
    onlineDevices: () => ['d2', 'd3'],
    linkReady: () => undefined,
    linkClosed: () => undefined,
    onFrame: () => undefined,
    onChunk: () => undefined,
  } as LinkCoordinatorDeps;
  const coordinator = new LinkCoordinator(deps);
  coordinator.attach('Alice', []);
  const trust = (name: string) => managerOpts!.security.peerKey(name);
  const ready = (link: FakeLink) => {
    links.push(link);
    managerOpts!.onState(link.key.slice(0, link.key.lastIndexOf('/')), 'ready', link as unknown as PeerLink);
  };
  return { coordinator, lookups, connects, trust, links, ready };
}

describe('links to my own devices: verified with the account key held here', () => {
  test('my own devices are checked against the held key, never the directory’s', async () => {
    const { trust, lookups } = setup();
    const t = await trust('alice');
    assert.deepEqual([...t.accountKey], [...held.publicKey]);
    assert.equal(t.minVersion, 3);
    assert.deepEqual(lookups, [], 'the directory was not asked for my own name');
  });

  test('no account key held: no link to my own devices at all', async () => {
    const { trust, coordinator, connects, lookups } = setup({ heldKey: null });
    await assert.rejects(trust('Alice'), (e: Error) => e.name === 'SecurityFailure');
    coordinator.dial('Alice');
    coordinator.handleSignal('alice', 'd2', 'cid', { type: 'offer', sdp: 'x' } as never);
    assert.deepEqual(connects, []);
    assert.deepEqual(lookups, []);
  });

  test('contacts are still checked with the pinned key the security service resolves', async () => {
    const { trust, lookups } = setup();
    const t = await trust('bob');
    assert.deepEqual([...t.accountKey], [...attacker.publicKey]);
    assert.deepEqual(lookups, ['bob']);
  });
});

describe('links to devices a newer list no longer names', () => {
  test('my list drops a device: its live link closes and nothing more goes to it', () => {
    const known = new Map([['alice', { version: 1, ids: ['d1', 'd2', 'x9'] }]]);
    const { coordinator, ready } = setup({ known });
    const d2 = fakeLink('alice', 'd2', 1);
    const x9 = fakeLink('alice', 'x9', 1);
    ready(d2);
    ready(x9);
    assert.equal(coordinator.readyLinks('alice').length, 2);
    known.set('alice', { version: 2, ids: ['d1', 'd2'] });
    coordinator.devicesChanged('alice');
    assert.equal(x9.destroyed, 1, 'the removed device’s link is closed');
    assert.equal(d2.destroyed, 0);
    coordinator.send('alice', { type: 'ack', id: 'm1' });
    assert.equal(x9.sent.length, 0);
    assert.equal(d2.sent.length, 1);
  });

  test('a link verified against an older list that no longer names the device is closed when it comes up', () => {
    const known = new Map([['bob', { version: 4, ids: ['b1'] }]]);
    const { coordinator, ready } = setup({ known });
    const stale = fakeLink('bob', 'b2', 3);
    ready(stale);
    assert.equal(stale.destroyed, 1);
    assert.deepEqual(coordinator.readyLinks('bob'), []);
    // A device in a list newer than the known one (just linked) is kept.
    const fresh = fakeLink('bob', 'b3', 5);
    ready(fresh);
    assert.equal(fresh.destroyed, 0);
    assert.equal(coordinator.readyLinks('bob').length, 1);
  });
});
