// Raw RTCDataChannel baseline for `npm run bench`: two SEPARATE Chromium processes on
// loopback, a plain ordered data channel, `bytes` (default 256 MiB) of random data in 64 KiB
// messages from one preallocated buffer, flow control by bufferedAmountLowThreshold (1 MiB) and a
// high-water mark (4 MiB). No app code, no crypto, no disk: the ceiling the app's transfer is
// measured against (transfer_vs_raw).
//
// Timing: from the sender's first send() to the receiver's last byte, both read from the same
// wall clock (performance.timeOrigin + performance.now() in each process). MB = 10^6 bytes.
//
// Modes (`mode`): 'plain' (default, above); 'sealed' adds exactly the app's per-chunk crypto
// (XChaCha20-Poly1305 frames + BLAKE2b of the plaintext on both sides, shared/ code, see
// sealed-raw-page.ts) and nothing else — the measured ceiling of any transfer with Peerchat's
// crypto; 'sealed-aes' the same with WebCrypto AES-256-GCM, for comparison. Sealed modes check
// that both sides' hashes match and every frame opened.
//
// Library:  import { measureRawMbps } from './raw-datachannel';  const mbs = await measureRawMbps();
// CLI:      node test/e2e/run-in-netns.mjs tsx test/bench/raw-datachannel.ts [--mib 256] [--runs 1]
//           [--mode plain|sealed|sealed-aes]
//           prints {"name":"raw_mb_s","value":…,"unit":"MB/s"}

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SealedMode } from './sealed-raw-page';
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
  /** 'plain' (default), 'sealed' or 'sealed-aes' (see the top of this file). */
  mode?: RawMode;
  /** Called right before each run's first send and right after its last byte arrived (e.g. to read CPU counters). */
  onStart?: (run: number) => void;
  onEnd?: (run: number) => void;
}

export type RawMode = 'plain' | SealedMode;

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
  const state = (window.__raw = { open: false, connectMs: null, result: null, senderDigest: null });
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

  window.rawReceive = async ({ total, chunkSize, mode }) => {
    state.result = null;
    const opener = mode === 'plain' ? null : await window.benchSealed.receiver(mode);
    const frames = Math.ceil(total / chunkSize);
    let got = 0;
    let count = 0;
    let ok = true;
    dc.onmessage = (e) => {
      got += e.data.byteLength;
      count++;
      const last = opener ? count >= frames : got >= total;
      const verdict = opener ? opener.take(e.data) : true;
      if (verdict === false) ok = false;
      if (!last) return;
      dc.onmessage = null;
      Promise.resolve(verdict).then((v) => {
        state.result = { end: now(), got, ok: ok && v !== false, digest: opener ? opener.digest() : null };
      });
    };
  };

  window.rawSend = async ({ total, chunkSize, lowWater, highWater, mode }) => {
    const sealer = mode === 'plain' ? null : await window.benchSealed.sender(mode);
    const buf = new Uint8Array(chunkSize);
    for (let i = 0; i < chunkSize; i += 65536) crypto.getRandomValues(buf.subarray(i, Math.min(chunkSize, i + 65536)));
    dc.bufferedAmountLowThreshold = lowWater;
    let sent = 0;
    let index = 0;
    const sendFrame = (frame) => dc.send(frame);
    const start = now();
    const pump = async () => {
      while (sent < total) {
        if (dc.bufferedAmount > highWater) {
          dc.onbufferedamountlow = () => { dc.onbufferedamountlow = null; pump(); };
          return;
        }
        const n = Math.min(chunkSize, total - sent);
        const piece = n === chunkSize ? buf : buf.subarray(0, n);
        sent += n;
        if (!sealer) dc.send(piece);
        else {
          const pending = sealer.push(index++, piece, sendFrame);
          if (pending) await pending;
        }
      }
      if (sealer) state.senderDigest = sealer.digest();
    };
    pump();
    return start;
  };
</script></body></html>`;

interface RawRunResult {
  end: number;
  got: number;
  ok: boolean;
  digest: string | null;
}

type RawWindow = {
  __raw: { open: boolean; connectMs: number | null; result: RawRunResult | null; senderDigest: string | null };
  rawReceive(o: { total: number; chunkSize: number; mode: RawMode }): Promise<void>;
  rawSend(o: { total: number; chunkSize: number; lowWater: number; highWater: number; mode: RawMode }): Promise<number>;
};

let sealedScript: Promise<string> | null = null;

/** sealed-raw-page.ts and the shared/ crypto it uses, bundled by Vite into one inline script. */
function sealedPageScript(): Promise<string> {
  sealedScript ??= (async () => {
    const { build } = await import('vite');
    const built = await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: false,
        lib: { entry: fileURLToPath(new URL('./sealed-raw-page.ts', import.meta.url)), formats: ['iife'], name: 'peerchatBenchSealed' },
      },
    });
    const outputs = Array.isArray(built) ? built : [built];
    const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk');
    if (!chunk || chunk.type !== 'chunk') throw new Error('bundling sealed-raw-page.ts produced no script');
    return chunk.code.replace(/<\/script/gi, '<\\/script');
  })();
  return sealedScript;
}

/** The page with the sealed-mode script inlined (a function replacer: the code may contain `$&`). */
async function sealedPage(): Promise<string> {
  const script = await sealedPageScript();
  return PAGE.replace('<body>', () => `<body><script>${script}</script>`);
}

/** Runs the baseline with its own server and two Chromium processes; closes them after. */
export async function measureRaw(options: RawOptions = {}): Promise<RawResult> {
  const total = options.bytes ?? 256 * 1024 * 1024;
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const lowWater = options.lowWater ?? 1024 * 1024;
  const highWater = options.highWater ?? 4 * 1024 * 1024;
  const runCount = Math.max(1, options.runs ?? 1);
  const mode = options.mode ?? 'plain';
  if (mode !== 'plain' && chunkSize > 64 * 1024) throw new RangeError('sealed modes send at most 64 KiB per chunk (frames must stay under 256 KiB)');
  const page = mode === 'plain' ? PAGE : await sealedPage();
  const relay = await startRoomRelay(page);
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
      await receiver.evaluate((o) => (window as unknown as RawWindow).rawReceive(o), { total, chunkSize, mode });
      options.onStart?.(run);
      const start = await sender.evaluate((o) => (window as unknown as RawWindow).rawSend(o), { total, chunkSize, lowWater, highWater, mode });
      const result = (await receiver.waitFor(() => (window as unknown as RawWindow).__raw.result, undefined, timeoutMs)) as RawRunResult;
      if (mode !== 'plain') {
        const sent = await sender.evaluate(() => (window as unknown as RawWindow).__raw.senderDigest);
        if (!result.ok || !result.digest || result.digest !== sent) {
          throw new Error(`${mode} baseline: ${result.ok ? `hash mismatch (${sent} vs ${result.digest})` : 'a frame did not authenticate'}`);
        }
      }
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
  const modeArg = process.argv[process.argv.indexOf('--mode') + 1];
  const modes: readonly RawMode[] = ['plain', 'sealed', 'sealed-aes', 'staged', 'hashed'];
  const mode = modes.find((m) => m === modeArg) ?? 'plain';
  const name = mode === 'plain' ? 'raw_mb_s' : `${mode.replace('-', '_')}_raw_mb_s`;
  measureRawMbps({ mode, ...(mib ? { bytes: mib * 1024 * 1024 } : {}), ...(runs ? { runs } : {}) })
    .then((mbs) => console.log(benchLine(name, mbs, 'MB/s')))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    })
    .finally(() => closeAllBrowsers());
}
