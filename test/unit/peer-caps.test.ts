// Per-contact caps (shared/transfer/peer-caps.ts) and how the transfer lifecycle
// (shared/transfer/lifecycle.ts) applies them to offers of files not known here.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUTO_ACCEPT_IMAGE_BYTES,
  HELD_IMAGE_REASON,
  ImageBudget,
  PEER_CAPS,
  WithdrawnOffers,
  parseFileControl,
  step,
  type FileOffer,
  type Lifecycle,
  type PeerLoad,
  type TransferEvent,
} from '../../shared/transfer/index';
import { transferView } from '../../web/src/transfer/transfer-view';
import { describeError, describeTransferEnd } from '../../web/src/l10n/error-text';

const ID = '0123456789abcdef0123456789abcdef';
const MiB = 1024 * 1024;

function offer(over: Partial<FileOffer> = {}): FileOffer {
  return { type: 'file-offer', fileId: ID, name: 'a.bin', mime: 'application/octet-stream', size: 3 * 65536, chunkSize: 65536, chunkCount: 3, ts: 1, ...over };
}

function image(size = 65536): FileOffer {
  return offer({ name: 'a.png', mime: 'image/png', isImage: true, size, chunkCount: Math.ceil(size / 65536) });
}

function offered(msg: FileOffer, load: PeerLoad): TransferEvent {
  return { type: 'frame', msg, from: 'Bob', load };
}

const NONE: PeerLoad = { pendingOffers: 0, autoImageBytes: 0 };

describe('ImageBudget: bytes of auto-accepted images per contact over a sliding hour', () => {
  test('counts what was spent within the window, per contact, and forgets what is older', () => {
    const b = new ImageBudget();
    assert.equal(b.used('bob', 0), 0);
    b.spend('bob', 10 * MiB, 1_000);
    b.spend('bob', 5 * MiB, 2_000);
    b.spend('carol', 7 * MiB, 2_000);
    assert.equal(b.used('bob', 2_000), 15 * MiB);
    assert.equal(b.used('carol', 2_000), 7 * MiB);
    // The first image leaves the window exactly one hour after it was spent.
    assert.equal(b.used('bob', 1_000 + PEER_CAPS.windowMs - 1), 15 * MiB);
    assert.equal(b.used('bob', 1_000 + PEER_CAPS.windowMs), 5 * MiB);
    assert.equal(b.used('bob', 2_000 + PEER_CAPS.windowMs), 0);
    assert.equal(b.used('carol', 1_000 + PEER_CAPS.windowMs), 7 * MiB);
  });

  test('the caps are realistic: 20 offers waiting, 50 MiB of images an hour', () => {
    assert.equal(PEER_CAPS.pendingOffers, 20);
    assert.equal(PEER_CAPS.autoImageBytesPerWindow, 50 * MiB);
    assert.ok(PEER_CAPS.autoImageBytesPerWindow >= AUTO_ACCEPT_IMAGE_BYTES);
  });
});

describe('lifecycle: offers of unknown files under the caps', () => {
  test('below the pending cap, an offer is stored and waits for the person', () => {
    const load = { pendingOffers: PEER_CAPS.pendingOffers - 1, autoImageBytes: 0 };
    assert.deepEqual(step(undefined, offered(offer(), load)).effects, [{ type: 'create-incoming', offer: offer(), autoAccept: false }]);
  });

  test('at the pending cap, the offer is declined as busy, nothing is stored, and the person is told once', () => {
    const load = { pendingOffers: PEER_CAPS.pendingOffers, autoImageBytes: 0 };
    const r = step(undefined, offered(offer(), load));
    assert.equal(r.state, undefined);
    assert.deepEqual(r.effects, [{ type: 'send', frame: { type: 'file-decline', fileId: ID, reason: 'busy' } }, { type: 'offers-capped' }]);
    assert.ok(!r.effects.some((e) => e.type === 'create-incoming' || e.type === 'persist'));
  });

  test("the 'busy' decline is a valid frame on the wire, and the sender ends declined with that reason", () => {
    const decline = { type: 'file-decline', fileId: ID, reason: 'busy' } as const;
    assert.deepEqual(parseFileControl(JSON.stringify(decline)), decline);
    const sender: Lifecycle = { direction: 'out', state: 'offered', offer: offer(), hasFile: true, runner: true };
    const r = step(sender, { type: 'frame', msg: decline, from: 'Alice' });
    assert.equal(r.state?.state, 'declined');
    assert.equal(r.state?.reason, 'busy');
  });

  test('an image within the budget is accepted without asking, even with many offers waiting', () => {
    const img = image(AUTO_ACCEPT_IMAGE_BYTES);
    const load = { pendingOffers: PEER_CAPS.pendingOffers, autoImageBytes: PEER_CAPS.autoImageBytesPerWindow - AUTO_ACCEPT_IMAGE_BYTES };
    assert.deepEqual(step(undefined, offered(img, load)).effects, [{ type: 'create-incoming', offer: img, autoAccept: true }]);
  });

  test('an image beyond the budget waits for the person, marked as held', () => {
    const img = image(65536);
    const load = { pendingOffers: 0, autoImageBytes: PEER_CAPS.autoImageBytesPerWindow - 65535 };
    assert.deepEqual(step(undefined, offered(img, load)).effects, [{ type: 'create-incoming', offer: img, autoAccept: false, held: true }]);
  });

  test('an image beyond the budget with the pending cap reached is declined as busy', () => {
    const load = { pendingOffers: PEER_CAPS.pendingOffers, autoImageBytes: PEER_CAPS.autoImageBytesPerWindow };
    assert.deepEqual(
      step(undefined, offered(image(), load)).effects.map((e) => e.type),
      ['send', 'offers-capped'],
    );
  });

  test('without a load (nothing kept yet), the caps change nothing', () => {
    assert.deepEqual(step(undefined, offered(image(), NONE)).effects, [{ type: 'create-incoming', offer: image(), autoAccept: true }]);
  });

  test('accepting a held image clears the held mark; declining it replaces it', () => {
    const held: Lifecycle = { direction: 'in', state: 'offered', offer: image(), hasFile: false, runner: false, reason: HELD_IMAGE_REASON };
    const accepted = step(held, { type: 'accept' });
    assert.deepEqual(
      accepted.effects.find((e) => e.type === 'persist'),
      { type: 'persist', patch: { state: 'running', reason: undefined }, show: true },
    );
    assert.equal(accepted.state?.reason, undefined);
    assert.equal(step(held, { type: 'decline' }).state?.reason, 'declined');
  });

  test('cancelling waiting offers does not make room: withdrawn offers count for an hour (sliding window)', () => {
    // The contact sent 20, cancelled them all (each cancel counted), and offers again.
    const w = new WithdrawnOffers();
    const waiting: Lifecycle = { direction: 'in', state: 'offered', offer: offer(), hasFile: false, runner: false };
    let t = 1_000;
    for (let i = 0; i < PEER_CAPS.pendingOffers; i++) {
      const r = step(waiting, { type: 'frame', msg: { type: 'file-cancel', fileId: ID, reason: 'cancelled' }, from: 'Bob' });
      assert.equal(r.state?.state, 'cancelled');
      for (const e of r.effects) if (e.type === 'offer-withdrawn') w.note('bob', t);
      t += 1_000;
    }
    assert.equal(w.count('bob', t), PEER_CAPS.pendingOffers);
    assert.equal(w.count('carol', t), 0, 'per contact');
    const load = (now: number): PeerLoad => ({ pendingOffers: 0, autoImageBytes: 0, withdrawnOffers: w.count('bob', now) });
    assert.deepEqual(step(undefined, offered(offer(), load(t))).effects.map((e) => e.type), ['send', 'offers-capped'], 'still busy with nothing waiting');
    // Mixed: 10 waiting and 10 withdrawn are the cap too.
    assert.equal(step(undefined, offered(offer(), { pendingOffers: 10, autoImageBytes: 0, withdrawnOffers: 10 })).effects[0]?.type, 'send');
    assert.equal(step(undefined, offered(offer(), { pendingOffers: 10, autoImageBytes: 0, withdrawnOffers: 9 })).effects[0]?.type, 'create-incoming');
    // The first withdrawal leaves the window an hour after it: one place again.
    assert.equal(step(undefined, offered(offer(), load(1_000 + PEER_CAPS.windowMs))).effects[0]?.type, 'create-incoming');
  });

  test('only a waiting incoming offer cancelled by the contact counts as withdrawn', () => {
    const cancel: TransferEvent = { type: 'frame', msg: { type: 'file-cancel', fileId: ID, reason: 'cancelled' }, from: 'Bob' };
    const running: Lifecycle = { direction: 'in', state: 'running', offer: offer(), hasFile: false, runner: true };
    assert.ok(!step(running, cancel).effects.some((e) => e.type === 'offer-withdrawn'));
    const mine: Lifecycle = { direction: 'out', state: 'offered', offer: offer(), hasFile: true, runner: true };
    assert.ok(!step(mine, cancel).effects.some((e) => e.type === 'offer-withdrawn'));
    const declinedByMe: Lifecycle = { direction: 'in', state: 'offered', offer: offer(), hasFile: false, runner: false };
    assert.ok(!step(declinedByMe, { type: 'decline' }).effects.some((e) => e.type === 'offer-withdrawn'));
  });

  test('a repeated offer of a known file is never capped (resume)', () => {
    const running: Lifecycle = { direction: 'in', state: 'running', offer: offer(), hasFile: false, runner: true };
    const load = { pendingOffers: PEER_CAPS.pendingOffers, autoImageBytes: PEER_CAPS.autoImageBytesPerWindow };
    assert.deepEqual(step(running, offered(offer(), load)).effects, [{ type: 'attach-receiving' }]);
  });
});

describe('file card view: the caps’ lines', () => {
  const base = { id: ID, conv: 'bob', peerName: 'Bob', direction: 'in' as const, offer: image() };

  test('a held image says why it waits, and its held mark is not shown as an outcome', () => {
    const v = transferView({ ...base, state: 'offered', reason: HELD_IMAGE_REASON }, undefined, true);
    assert.deepEqual(v.notices, ['PEER_IMAGES_HELD']);
    assert.equal(v.reason, undefined);
    assert.equal(describeError('PEER_IMAGES_HELD', { name: v.peerName }), 'Not opened automatically: Bob sent many images in the last hour.');
  });

  test('only the card chosen for it says the rest were declined; an ordinary offer says nothing more', () => {
    assert.deepEqual(transferView({ ...base, state: 'offered' }, undefined, true).notices, []);
    assert.deepEqual(transferView({ ...base, state: 'offered' }, undefined, true, true).notices, ['PEER_OFFERS_CAPPED']);
    assert.equal(
      describeError('PEER_OFFERS_CAPPED', { name: 'Bob' }),
      'Bob sent more files than Peerchat keeps waiting at once; the rest were declined.',
    );
  });

  test('the sender’s card says why a busy decline happened', () => {
    const text = describeTransferEnd({ state: 'declined', reason: 'busy', by: 'Alice' });
    assert.match(text, /^Declined automatically: Alice already has many of your files waiting/);
  });
});
