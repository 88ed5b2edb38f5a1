// Raw RTCDataChannel baseline for `npm run bench` (issue 4): two SEPARATE Chromium processes on
// loopback, a plain ordered data channel, `bytes` (default 256 MiB) of random data in 64 KiB
// messages from one preallocated buffer, flow control by bufferedAmountLowThreshold (1 MiB) and a
// high-water mark (4 MiB). No app code, no crypto, no disk: the ceiling the app's transfer is
// measured against (transfer_vs_raw).
//
// Timing: from the sender's first send() to the receiver's last byte, both read from the same
// wall clock (performance.timeOrigin + performance.now() in each process). MB = 10^6 bytes.
//
// Library:  import { measureRawMbps } from './raw-datachannel';  const mbs = await measureRawMbps();
// CLI:      node test/e2e/run-in-netns.mjs tsx test/bench/raw-datachannel.ts [--mib 256] [--runs 1]
//           prints {"name":"raw_mb_s","value":…,"unit":"MB/s"}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOM_SIGNALLING_JS, startRoomRelay } from '../e2e/room-relay';
import { closeAllBrowsers, launchChromium, type BrowserUser } from '../e2e/browsers';

export interface RawOptions {
  /** Bytes per run (default 256 MiB). */
  bytes?: number;
  /** Message size (default 64 KiB; at most 256 KiB in Chromium). */
  chunkSize?: number;
  /** bufferedAmountLowThreshold (default 1 MiB). */
  lowWater?: number;
  /** Stop sending above this bufferedAmount (default 4 MiB). */
  highWater?: number;
  /** Transfers on the same connection; the median is returned (default 1). */
  runs?: number;
  /** Called with each run's figure. */
  onRun?: (mbPerSecond: number, run: number) => void;
  /** Called right before each run's first send and right after its last byte arrived (e.g. to read CPU counters). */
  onStart?: (run: number) => void;
  onEnd?: (run: number) => void;
}

export interface RawResult {
  /** Median MB/s (10^6 bytes per second). */
  mbPerSecond: number;
  runs: number[];
  /** Offer created → data channel open, ms. */
  connectMs: number;
}

const PAGE = /* html */ `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>raw data channel</title></head>
<body><p id="status">starting</p>
<script type="module">
  const status = document.getElementById('status');
  const state = (window.__raw = { open: false, connectMs: null, result: null });
  const room = new URLSearchParams(location.search).get('room');
  const ws = new WebSocket('ws://' + location.host + '/ws?room=' + encodeURIComponent(room));
  const send = (msg) => ws.send(JSON.stringify(msg));
  const pc = new RTCPeerConnection({ iceServers: [] });
  let dc = null;
  let started = 0;
  const pending = [];
  pc.onicecandidate = (e) => { if (e.candidate) send({ type: 'candidate', candidate: e.candidate.toJSON() }); };
  const use = (channel) => {
    dc = channel;
    dc.binaryType = 'arraybuffer';
    dc.onopen = () => {
      state.open = true;
      state.connectMs = started ? performance.now() - started : null;
      status.textContent = 'open';
    };
  };
  pc.ondatachannel = (e) => use(e.channel);
  const openChannel = () => use(pc.createDataChannel('raw'));
${ROOM_SIGNALLING_JS}  const now = () => performance.timeOrigin + performance.now();

  window.rawReceive = (total) => {
    state.result = null;
    let got = 0;
    dc.onmessage = (e) => {
      got += e.data.byteLength;
      if (got >= total) {
        state.result = { end: now(), got };
        dc.onmessage = null;
      }
    };
  };

  window.rawSend = ({ total, chunkSize, lowWater, highWater }) => {
    const buf = new Uint8Array(chunkSize);
    for (let i = 0; i < chunkSize; i += 65536) crypto.getRandomValues(buf.subarray(i, Math.min(chunkSize, i + 65536)));
    dc.bufferedAmountLowThreshold = lowWater;
    let sent = 0;
    const start = now();
    const pump = () => {
      while (sent < total) {
        if (dc.bufferedAmount > highWater) {
          dc.onbufferedamountlow = () => { dc.onbufferedamountlow = null; pump(); };
          return;
        }
        const n = Math.min(chunkSize, total - sent);
        dc.send(n === chunkSize ? buf : buf.subarray(0, n));
        sent += n;
      }
    };
    pump();
    return start;
  };
</script></body></html>`;

type RawWindow = {
  __raw: { open: boolean; connectMs: number | null; result: { end: number; got: number } | null };
  rawReceive(total: number): void;
  rawSend(o: { total: number; chunkSize: number; lowWater: number; highWater: number }): number;
};

/** Runs the baseline with its own server and two Chromium processes; closes them after. */
export async function measureRaw(options: RawOptions = {}): Promise<RawResult> {
  const total = options.bytes ?? 256 * 1024 * 1024;
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const lowWater = options.lowWater ?? 1024 * 1024;
  const highWater = options.highWater ?? 4 * 1024 * 1024;
  const runCount = Math.max(1, options.runs ?? 1);
  const relay = await startRoomRelay(PAGE);
  const users: BrowserUser[] = [];
  try {
    const sender = await launchChromium({ name: 'raw-sender' });
    users.push(sender);
    const receiver = await launchChromium({ name: 'raw-receiver' });
    users.push(receiver);
    const room = `raw-${Date.now()}`;
    await sender.goto(`${relay.url}?room=${room}`); // first in the room: makes the offer
    await receiver.goto(`${relay.url}?room=${room}`);
    for (const u of users) await u.waitFor(() => (window as unknown as RawWindow).__raw.open, undefined, 20_000);
    const connectMs = (await sender.evaluate(() => (window as unknown as RawWindow).__raw.connectMs)) ?? NaN;
    const runs: number[] = [];
    // Ample time even at 2 MB/s.
    const timeoutMs = Math.max(60_000, (total / 2e6) * 1000);
    for (let run = 0; run < runCount; run++) {
      await receiver.evaluate((n) => (window as unknown as RawWindow).rawReceive(n), total);
      options.onStart?.(run);
      const start = await sender.evaluate((o) => (window as unknown as RawWindow).rawSend(o), { total, chunkSize, lowWater, highWater });
      const result = (await receiver.waitFor(() => (window as unknown as RawWindow).__raw.result, undefined, timeoutMs)) as { end: number };
      options.onEnd?.(run);
      const mbs = total / 1e6 / ((result.end - start) / 1000);
      runs.push(mbs);
      options.onRun?.(mbs, run);
    }
    const sorted = [...runs].sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
    return { mbPerSecond: median, runs, connectMs };
  } finally {
    await Promise.allSettled(users.map((u) => u.close()));
    await relay.close();
  }
}

/** The baseline figure: median MB/s of the raw data channel (see measureRaw for options). */
export async function measureRawMbps(options: RawOptions = {}): Promise<number> {
  return (await measureRaw(options)).mbPerSecond;
}

/** One `{"name","value","unit"}` JSON line, as `npm run bench` prints them. */
export function benchLine(name: string, value: number, unit: string): string {
  return JSON.stringify({ name, value: Math.round(value * 100) / 100, unit });
}

function argValue(name: string): number | undefined {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const mib = argValue('--mib');
  const runs = argValue('--runs');
  measureRawMbps({ ...(mib ? { bytes: mib * 1024 * 1024 } : {}), ...(runs ? { runs } : {}) })
    .then((mbs) => console.log(benchLine('raw_mb_s', mbs, 'MB/s')))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => closeAllBrowsers());
}
