// The transfer lifecycle (shared/transfer/lifecycle.ts): every transition of step(), for both
// directions, including resume, lost verdicts and failures while finishing.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AUTO_ACCEPT_IMAGE_BYTES,
  failReason,
  step,
  TRANSFER_LIMITS,
  type FileControl,
  type FileDone,
  type FileOffer,
  type Lifecycle,
  type TransferEffect,
  type TransferEvent,
} from '../../shared/transfer/index';

const ID = '0123456789abcdef0123456789abcdef';
const HASH = 'ab'.repeat(32);
const OTHER = 'cd'.repeat(32);

function offer(over: Partial<FileOffer> = {}): FileOffer {
  return { type: 'file-offer', fileId: ID, name: 'a.bin', mime: 'application/octet-stream', size: 3 * 65536, chunkSize: 65536, chunkCount: 3, ts: 1, ...over };
}

function sender(over: Partial<Lifecycle> = {}): Lifecycle {
  return { direction: 'out', state: 'offered', offer: offer(), hasFile: true, runner: false, ...over };
}

function receiver(over: Partial<Lifecycle> = {}): Lifecycle {
  return { direction: 'in', state: 'offered', offer: offer(), hasFile: false, runner: false, ...over };
}

function frame(msg: FileControl, from = 'Bob'): TransferEvent {
  return { type: 'frame', msg, from };
}

const done = (hash: string, ok = true): FileDone => ({ type: 'file-done', fileId: ID, hash, ok });

function types(effects: TransferEffect[]): string[] {
  return effects.map((e) => e.type);
}

function persisted(effects: TransferEffect[]): Extract<TransferEffect, { type: 'persist' }> {
  const p = effects.find((e) => e.type === 'persist');
  assert.ok(p && p.type === 'persist', `a persist in ${types(effects).join(',')}`);
  return p;
}

function sent(effects: TransferEffect[]): FileControl[] {
  return effects.flatMap((e) => (e.type === 'send' || e.type === 'tell' ? [e.frame] : []));
}

describe('receiver: offer, accept, decline', () => {
  test('an offer for an unknown file is stored, and an inline image under the limit is accepted without asking', () => {
    const plain = step(undefined, frame(offer()));
    assert.deepEqual(plain.effects, [{ type: 'create-incoming', offer: offer(), autoAccept: false }]);
    const img = offer({ isImage: true, mime: 'image/png', size: 65536, chunkCount: 1 });
    assert.deepEqual(step(undefined, frame(img)).effects, [{ type: 'create-incoming', offer: img, autoAccept: true }]);
    const big = offer({ isImage: true, mime: 'image/png', size: AUTO_ACCEPT_IMAGE_BYTES + 1, chunkCount: Math.ceil((AUTO_ACCEPT_IMAGE_BYTES + 1) / 65536) });
    assert.equal((step(undefined, frame(big)).effects[0] as { autoAccept: boolean }).autoAccept, false);
  });

  test('anything else about an unknown file is ignored', () => {
    for (const ev of [frame({ type: 'file-accept', fileId: ID, have: [] }), frame(done(HASH)), { type: 'accept' } as const, { type: 'link-ready' } as const]) {
      assert.deepEqual(step(undefined, ev), { state: undefined, effects: [] });
    }
  });

  test('accept: running, then open the file on disk; once open, attach (it sends file-accept)', () => {
    const r = step(receiver(), { type: 'accept' });
    assert.deepEqual(types(r.effects), ['persist', 'open-sink']);
    assert.deepEqual(persisted(r.effects).patch, { state: 'running' });
    assert.equal(r.state?.state, 'running');
    const opened = step(r.state, { type: 'sink-opened' });
    assert.deepEqual(types(opened.effects), ['attach-receiving']);
    assert.equal(opened.state?.runner, true);
  });

  test('accept is only for an incoming offer', () => {
    assert.deepEqual(step(receiver({ state: 'running' }), { type: 'accept' }).effects, []);
    assert.deepEqual(step(sender(), { type: 'accept' }).effects, []);
  });

  test('the disk refuses the file: decline with storage, delete any part, failed', () => {
    const r = step(receiver({ state: 'running' }), { type: 'sink-failed' });
    assert.deepEqual(types(r.effects), ['send', 'delete-file', 'persist']);
    assert.deepEqual(sent(r.effects), [{ type: 'file-decline', fileId: ID, reason: 'storage' }]);
    assert.deepEqual(persisted(r.effects).patch, { state: 'failed', reason: 'storage', verified: undefined });
  });

  test('decline tells the sender; if it cannot be told now, it is told on the next ready session', () => {
    const r = step(receiver(), { type: 'decline' });
    assert.deepEqual(r.effects[0], { type: 'tell', frame: { type: 'file-decline', fileId: ID, reason: 'declined' } });
    assert.deepEqual(persisted(r.effects).patch, { state: 'declined', reason: 'declined' });
    const offline = step(r.state, { type: 'tell-failed' });
    assert.deepEqual(persisted(offline.effects).patch, { notifyPeer: true });
    const later = step(offline.state, { type: 'link-ready' });
    assert.deepEqual(sent(later.effects), [{ type: 'file-decline', fileId: ID, reason: 'declined' }]);
    assert.deepEqual(persisted(later.effects).patch, { notifyPeer: undefined });
    assert.equal(later.state?.notifyPeer, undefined);
    assert.deepEqual(step(receiver({ state: 'running' }), { type: 'decline' }).effects, []);
  });
});

describe('receiver: resume and the sender re-offering', () => {
  test('a re-offer of a running file: attach the runner, or reopen the file first after a reload', () => {
    assert.deepEqual(types(step(receiver({ state: 'running', runner: true }), frame(offer())).effects), ['attach-receiving']);
    assert.deepEqual(types(step(receiver({ state: 'running' }), frame(offer())).effects), ['open-sink']);
  });

  test('a re-offer of a finished file repeats the stored outcome (a verdict lost to a reload)', () => {
    assert.deepEqual(sent(step(receiver({ state: 'done', hash: HASH }), frame(offer())).effects), [done(HASH)]);
    assert.deepEqual(sent(step(receiver({ state: 'declined' }), frame(offer())).effects), [{ type: 'file-decline', fileId: ID, reason: 'declined' }]);
    assert.deepEqual(sent(step(receiver({ state: 'cancelled' }), frame(offer())).effects), [{ type: 'file-cancel', fileId: ID, reason: 'cancelled' }]);
    assert.deepEqual(sent(step(receiver({ state: 'failed', reason: 'storage' }), frame(offer())).effects), [{ type: 'file-cancel', fileId: ID, reason: 'storage' }]);
    assert.deepEqual(sent(step(receiver({ state: 'failed', reason: 'not-a-reason' }), frame(offer())).effects), [{ type: 'file-cancel', fileId: ID, reason: 'corrupt' }]);
    assert.deepEqual(step(receiver(), frame(offer())).effects, [], 'still waiting for the person');
  });

  test('snapshots of the verified chunks are stored while running, without redrawing', () => {
    const bits = new Uint8Array([5]);
    const r = step(receiver({ state: 'running', runner: true }), { type: 'snapshot', verified: bits });
    assert.deepEqual(r.effects, [{ type: 'persist', patch: { verified: bits }, show: false }]);
    assert.deepEqual(step(receiver({ state: 'cancelled' }), { type: 'snapshot', verified: bits }).effects, [], 'not after the end');
  });

  test('the link closes: the runner detaches and a running card redraws as paused', () => {
    assert.deepEqual(types(step(receiver({ state: 'running', runner: true }), { type: 'link-closed' }).effects), ['detach', 'show']);
    assert.deepEqual(types(step(receiver({ state: 'done' }), { type: 'link-closed' }).effects), []);
  });
});

describe('receiver: the sender says it sent everything', () => {
  const running = receiver({ state: 'running', runner: true });

  test('file-done: check the file (the runner asks for what is missing itself)', () => {
    assert.deepEqual(step(running, frame(done(HASH))).effects, [{ type: 'check-file', msg: done(HASH) }]);
    assert.deepEqual(step(receiver({ state: 'running' }), frame(done(HASH))).effects, [], 'no runner: nothing to check');
    assert.deepEqual(step(receiver({ state: 'done', hash: HASH }), frame(done(HASH))).effects, []);
  });

  test('verified: the sender is told only once the outcome is stored (the persist carries the verdict)', () => {
    const r = step(running, { type: 'file-checked', verdict: done(HASH) });
    assert.deepEqual(types(r.effects), ['stop-runner', 'persist']);
    assert.deepEqual(persisted(r.effects).patch, { state: 'done', hash: HASH, verified: undefined });
    assert.deepEqual(persisted(r.effects).thenSend, done(HASH));
    assert.deepEqual(sent(r.effects), [], 'not sent before it is stored');
    assert.equal(r.state?.state, 'done');
    assert.equal(r.state?.runner, false);
  });

  test('a hash mismatch: failed (corrupt), and the sender is told so once stored', () => {
    const r = step(running, { type: 'file-checked', verdict: done(OTHER, false) });
    assert.deepEqual(persisted(r.effects).patch, { state: 'failed', reason: 'corrupt', verified: undefined });
    assert.deepEqual(persisted(r.effects).thenSend, done(OTHER, false));
  });

  test('the outcome cannot be stored: back to running, nothing told; the next offer checks the file again', () => {
    const checked = step(running, { type: 'file-checked', verdict: done(HASH) });
    const r = step(checked.state, { type: 'store-failed' });
    assert.equal(r.state?.state, 'running', 'as the stored record still says: never done here while the sender is not told');
    assert.equal(r.state?.runner, false);
    assert.equal(r.state?.hash, undefined);
    assert.deepEqual(persisted(r.effects).patch, { state: 'running', hash: undefined, reason: undefined });
    assert.deepEqual(sent(r.effects), []);
    // The sender re-offers (next session or after a reload): the file is reopened and checked again.
    assert.deepEqual(step(r.state, frame(offer())).effects, [{ type: 'open-sink', resume: true }]);
    // A corrupt verdict that could not be stored goes back to running too.
    const bad = step(step(running, { type: 'file-checked', verdict: done(OTHER, false) }).state, { type: 'store-failed' });
    assert.equal(bad.state?.state, 'running');
    assert.equal(bad.state?.reason, undefined);
    // Nothing else is affected.
    assert.deepEqual(step(sender({ state: 'done', hash: HASH }), { type: 'store-failed' }).effects, []);
    assert.deepEqual(step(receiver({ state: 'cancelled' }), { type: 'store-failed' }).effects, []);
  });

  test('a resume whose file cannot be reopened now keeps the transfer for the next resume; only a missing file ends it', () => {
    const paused = receiver({ state: 'running' });
    const r = step(paused, { type: 'sink-failed', retry: true });
    assert.equal(r.state?.state, 'running');
    assert.equal(r.state?.runner, false);
    assert.deepEqual(types(r.effects), ['show'], 'nothing deleted, nothing told, nothing stored');
    assert.deepEqual(step(r.state, frame(offer())).effects, [{ type: 'open-sink', resume: true }], 'tried again on the next offer');
    const gone = step(paused, { type: 'sink-failed' });
    assert.equal(gone.state?.state, 'failed');
    assert.deepEqual(types(gone.effects), ['send', 'delete-file', 'persist']);
  });

  test('the disk fails while finishing: failed (storage), the sender told, the partial file deleted', () => {
    const r = step(running, { type: 'storage-failed' });
    assert.deepEqual(types(r.effects), ['send', 'discard-sink', 'persist']);
    assert.deepEqual(sent(r.effects), [{ type: 'file-cancel', fileId: ID, reason: 'storage' }]);
    assert.deepEqual(persisted(r.effects).patch, { state: 'failed', reason: 'storage', verified: undefined });
    assert.equal(persisted(r.effects).dropFile, undefined, 'a receiver has no File to drop');
    assert.deepEqual(step(r.state, { type: 'storage-failed' }).effects, [], 'once');
  });
});

describe('sender', () => {
  test('a ready session (re)starts sending every unfinished file: the runner re-offers', () => {
    const r = step(sender(), { type: 'link-ready' });
    assert.deepEqual(types(r.effects), ['start-sending', 'show']);
    assert.equal(r.state?.runner, true);
    assert.deepEqual(types(step(sender({ state: 'running', runner: true }), { type: 'link-ready' }).effects), ['start-sending', 'show']);
  });

  test('after a reload without the File (the browser could not keep it): failed, source-lost', () => {
    const r = step(sender({ state: 'running', hasFile: false }), { type: 'link-ready' });
    assert.deepEqual(sent(r.effects), [{ type: 'file-cancel', fileId: ID, reason: 'source-lost' }]);
    assert.deepEqual(persisted(r.effects).patch, { state: 'failed', reason: 'source-lost' });
  });

  test('file-accept: send what is missing; offered becomes running', () => {
    const accept: FileControl = { type: 'file-accept', fileId: ID, have: [[0, 1]] };
    const r = step(sender({ runner: true }), frame(accept));
    assert.deepEqual(types(r.effects), ['send-missing', 'persist']);
    assert.deepEqual(persisted(r.effects).patch, { state: 'running' });
    assert.deepEqual(types(step(sender({ state: 'running', runner: true }), frame(accept)).effects), ['send-missing']);
  });

  test('file-accept whose ranges do not fit the file: failed (error), the receiver told', () => {
    const r = step(sender({ runner: true }), frame({ type: 'file-accept', fileId: ID, have: [[0, 9]] }));
    assert.deepEqual(sent(r.effects), [{ type: 'file-cancel', fileId: ID, reason: 'error' }]);
    assert.deepEqual(persisted(r.effects).patch, { state: 'failed', reason: 'error', verified: undefined });
  });

  test('a late file-accept for a done transfer is answered with file-done (the receiver lost our reply)', () => {
    const r = step(sender({ state: 'done', hash: HASH }), frame({ type: 'file-accept', fileId: ID, have: [] }));
    assert.deepEqual(sent(r.effects), [done(HASH)]);
  });

  test('file-accept for a transfer that cannot be sent: cancel with why', () => {
    const have: FileControl = { type: 'file-accept', fileId: ID, have: [] };
    assert.deepEqual(sent(step(sender({ state: 'cancelled' }), frame(have)).effects), [{ type: 'file-cancel', fileId: ID, reason: 'cancelled' }]);
    assert.deepEqual(sent(step(sender({ state: 'failed', reason: 'source-lost' }), frame(have)).effects), [{ type: 'file-cancel', fileId: ID, reason: 'source-lost' }]);
    assert.deepEqual(sent(step(sender({ state: 'running' }), frame(have)).effects), [{ type: 'file-cancel', fileId: ID, reason: 'cancelled' }], 'no runner');
  });

  test('file-need: resend', () => {
    const need: FileControl = { type: 'file-need', fileId: ID, ranges: [[1, 2]] };
    assert.deepEqual(step(sender({ state: 'running', runner: true }), frame(need)).effects, [{ type: 'resend', msg: need }]);
    assert.deepEqual(step(sender({ state: 'running' }), frame(need)).effects, []);
  });

  test('the hash it sent is stored once (for a verdict that arrives after a reload)', () => {
    const r = step(sender({ state: 'running', runner: true }), { type: 'hashed', hash: HASH });
    assert.deepEqual(r.effects, [{ type: 'persist', patch: { sentHash: HASH }, show: false }]);
    assert.deepEqual(step(r.state, { type: 'hashed', hash: HASH }).effects, []);
  });

  test('verified by the receiver with our hash: done; the File dropped unless an inline image', () => {
    const r = step(sender({ state: 'running', runner: true, sentHash: HASH }), frame(done(HASH)));
    assert.deepEqual(types(r.effects), ['stop-runner', 'persist']);
    assert.deepEqual(persisted(r.effects).patch, { state: 'done', hash: HASH });
    assert.equal(persisted(r.effects).dropFile, true);
    assert.equal(r.state?.hasFile, false);
    const img = offer({ isImage: true, mime: 'image/png', size: 65536, chunkCount: 1 });
    const kept = step(sender({ state: 'running', runner: true, sentHash: HASH, offer: img }), frame(done(HASH)));
    assert.equal(persisted(kept.effects).dropFile, undefined);
    // Video and audio play inline in the sender's history too, up to maxKeptMediaBytes.
    for (const mime of ['video/webm', 'audio/wav']) {
      const media = step(sender({ state: 'running', runner: true, sentHash: HASH, offer: offer({ mime }) }), frame(done(HASH)));
      assert.equal(persisted(media.effects).dropFile, undefined, mime);
    }
    const huge = offer({ mime: 'video/mp4', size: TRANSFER_LIMITS.maxKeptMediaBytes + 1, chunkCount: Math.ceil((TRANSFER_LIMITS.maxKeptMediaBytes + 1) / 65536) });
    assert.equal(persisted(step(sender({ state: 'running', runner: true, sentHash: HASH, offer: huge }), frame(done(HASH))).effects).dropFile, true);
  });

  test('a verdict with another hash, or not ok: failed (corrupt)', () => {
    for (const msg of [done(OTHER), done(HASH, false)]) {
      const r = step(sender({ state: 'running', runner: true, sentHash: HASH }), frame(msg));
      assert.deepEqual(persisted(r.effects).patch, { state: 'failed', reason: 'corrupt' });
    }
  });

  test('sender reload with the sent hash stored: a verdict checks against it without reading the file', () => {
    const reloaded = sender({ state: 'running', runner: false, sentHash: HASH });
    const started = step(reloaded, { type: 'link-ready' });
    const r = step(started.state, frame(done(HASH)));
    assert.ok(!types(r.effects).includes('hash-source'));
    assert.deepEqual(persisted(r.effects).patch, { state: 'done', hash: HASH });
  });

  test('sender reload without a stored hash: hash the file, then judge the verdict', () => {
    const started = step(sender({ state: 'running' }), { type: 'link-ready' });
    const r = step(started.state, frame(done(HASH)));
    assert.deepEqual(r.effects, [{ type: 'hash-source', verdict: done(HASH) }]);
    const judged = step(r.state, { type: 'source-hashed', hash: HASH, verdict: done(HASH) });
    assert.deepEqual(types(judged.effects), ['persist', 'stop-runner', 'persist']);
    assert.equal(judged.state?.state, 'done');
    const unreadable = step(r.state, { type: 'source-hashed', hash: null, verdict: done(HASH) });
    assert.equal(unreadable.state?.state, 'failed');
    assert.equal(unreadable.state?.reason, 'corrupt');
  });

  test('the source cannot be read, or sending fails: failed, the receiver told, the File dropped', () => {
    for (const [ev, reason] of [[{ type: 'source-lost' }, 'source-lost'], [{ type: 'send-failed' }, 'error']] as const) {
      const r = step(sender({ state: 'running', runner: true }), ev);
      assert.deepEqual(types(r.effects), ['send', 'stop-runner', 'persist']);
      assert.deepEqual(sent(r.effects), [{ type: 'file-cancel', fileId: ID, reason }]);
      assert.equal(persisted(r.effects).dropFile, true);
    }
  });

  test('declined by the receiver: declined, with its reason', () => {
    const r = step(sender({ runner: true }), frame({ type: 'file-decline', fileId: ID, reason: 'storage' }));
    assert.deepEqual(persisted(r.effects).patch, { state: 'declined', reason: 'storage', verified: undefined });
    assert.deepEqual(types(r.effects), ['stop-runner', 'persist']);
    assert.equal(persisted(step(sender(), frame({ type: 'file-decline', fileId: ID })).effects).patch.reason, 'declined');
    assert.deepEqual(step(sender({ state: 'done' }), frame({ type: 'file-decline', fileId: ID })).effects, []);
  });
});

describe('cancel, from either side', () => {
  test('by this person: the contact told, runner ended, partial file deleted, cancelledBy ""', () => {
    const out = step(sender({ state: 'running', runner: true }), { type: 'cancel' });
    assert.deepEqual(types(out.effects), ['tell', 'stop-runner', 'persist']);
    assert.deepEqual(persisted(out.effects).patch, { state: 'cancelled', reason: 'cancelled', cancelledBy: '', verified: undefined });
    const inc = step(receiver({ state: 'running', runner: true }), { type: 'cancel' });
    assert.deepEqual(types(inc.effects), ['tell', 'discard-sink', 'persist']);
    const paused = step(receiver({ state: 'running' }), { type: 'cancel' });
    assert.deepEqual(types(paused.effects), ['tell', 'delete-file', 'persist'], 'no runner: delete what is on disk');
    assert.deepEqual(step(receiver({ state: 'done' }), { type: 'cancel' }).effects, [], 'a finished transfer stays');
  });

  test('by this person while offline: told on the next ready session', () => {
    const r = step(sender({ state: 'running' }), { type: 'cancel' });
    const offline = step(r.state, { type: 'tell-failed' });
    assert.equal(offline.state?.notifyPeer, true);
    const later = step(offline.state, { type: 'link-ready' });
    assert.deepEqual(sent(later.effects), [{ type: 'file-cancel', fileId: ID, reason: 'cancelled' }]);
    assert.ok(!types(later.effects).includes('start-sending'));
  });

  test('by the contact: cancelled by them; any other reason is a failure', () => {
    const byThem = step(receiver({ state: 'running', runner: true }), frame({ type: 'file-cancel', fileId: ID, reason: 'cancelled' }, 'Alice'));
    assert.deepEqual(persisted(byThem.effects).patch, { state: 'cancelled', reason: 'cancelled', cancelledBy: 'Alice', verified: undefined });
    assert.ok(!types(byThem.effects).includes('send'), 'nothing sent back');
    const failed = step(sender({ state: 'running', runner: true }), frame({ type: 'file-cancel', fileId: ID, reason: 'storage' }));
    assert.deepEqual(persisted(failed.effects).patch, { state: 'failed', reason: 'storage', verified: undefined });
    assert.deepEqual(step(sender({ state: 'done' }), frame({ type: 'file-cancel', fileId: ID, reason: 'cancelled' })).effects, []);
  });
});

describe('empty file', () => {
  test('accept with nothing to send still runs the pump (it sends file-done), and the verdict ends it', () => {
    const empty = offer({ size: 0, chunkCount: 0 });
    const r = step(sender({ offer: empty, runner: true }), frame({ type: 'file-accept', fileId: ID, have: [] }));
    assert.deepEqual(types(r.effects), ['send-missing', 'persist']);
    const hashed = step(r.state, { type: 'hashed', hash: HASH });
    const end = step(hashed.state, frame(done(HASH)));
    assert.equal(end.state?.state, 'done');
  });
});

test('failReason keeps wire cancel reasons and replaces anything else', () => {
  assert.equal(failReason('storage', 'corrupt'), 'storage');
  assert.equal(failReason('bogus', 'corrupt'), 'corrupt');
  assert.equal(failReason(undefined, 'source-lost'), 'source-lost');
});
