// The baseline for message-latency.ts: a bare RTCDataChannel between the same two app pages (the
// same browser processes), signalled by the driver, no app code on either end. One short text
// message at a time, send() → onmessage, timed on the shared wall clock like the app's figure.

import type { AppPair } from './app-bench';
import { pageOf } from './app-bench';
import { stats, type LatencyStats } from './message-latency';

/** Creates the peer connection in a page; the offerer also creates the channel. */
const SETUP = /* js */ `async (offerer) => {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const b = (globalThis.__bare = { pc, dc: null, seen: new Map(), open: false });
  const use = (dc) => {
    b.dc = dc;
    dc.onopen = () => (b.open = true);
    dc.onmessage = (e) => b.seen.set(e.data, performance.timeOrigin + performance.now());
  };
  if (offerer) use(pc.createDataChannel('bare'));
  else pc.ondatachannel = (e) => use(e.channel);
  return true;
}`;

/** Local description with every candidate in it (no trickle: the driver carries one blob each way). */
const DESCRIBE = /* js */ `async (remote) => {
  const pc = globalThis.__bare.pc;
  if (remote) await pc.setRemoteDescription(remote);
  await pc.setLocalDescription(remote ? await pc.createAnswer() : await pc.createOffer());
  if (pc.iceGatheringState !== 'complete') {
    await new Promise((r) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && r()));
  }
  return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
}`;

export async function measureBareLatency(pair: AppPair, count: number, gapMs: number): Promise<LatencyStats> {
  const a = pageOf(pair.alice);
  const b = pageOf(pair.bob);
  await a.evaluate(`(${SETUP})(true)`);
  await b.evaluate(`(${SETUP})(false)`);
  const offer = await a.evaluate(`(${DESCRIBE})(null)`);
  const answer = await b.evaluate(`(${DESCRIBE})(${JSON.stringify(offer)})`);
  await a.evaluate(`globalThis.__bare.pc.setRemoteDescription(${JSON.stringify(answer)})`);
  await a.waitForFunction(() => (globalThis as unknown as { __bare: { open: boolean } }).__bare.open, undefined, { timeout: 20_000 });
  const out: number[] = [];
  try {
    let lastSend = 0;
    for (let i = -10; i < count; i++) {
      const text = `bare-${i}`;
      // Paced like the app's messages (message-latency.ts), so both are measured the same way.
      const wait = lastSend + gapMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      lastSend = Date.now();
      const t0 = (await a.evaluate(`(() => { const t = performance.timeOrigin + performance.now(); globalThis.__bare.dc.send(${JSON.stringify(text)}); return t; })()`)) as number;
      const deadline = Date.now() + 10_000;
      let t1: number | null = null;
      while (t1 === null) {
        t1 = (await b.evaluate(`globalThis.__bare.seen.get(${JSON.stringify(text)}) ?? null`)) as number | null;
        if (t1 === null) {
          if (Date.now() > deadline) throw new Error(`bare message ${i} not received within 10 s`);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
      if (i >= 0) out.push(t1 - t0); // the first ten warm the path up
    }
  } finally {
    await a.evaluate('globalThis.__bare?.pc.close()');
    await b.evaluate('globalThis.__bare?.pc.close()');
  }
  return stats(out);
}
