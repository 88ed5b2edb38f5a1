// A timeline of app transfers, to find where they wait: every 50 ms, the CPU both browsers used
// (all their processes, from /proc), the chunks bob has received, and the bytes in alice's
// IndexedDB blob folder (where a stored File lives). Prints one line per sample, then per round the
// CPU busy % and the longest stretch without a received chunk.
//   node test/e2e/run-in-netns.mjs npx tsx test/bench/timeline-transfer.ts [MiB] [rounds]
// Needs a `vite build --mode e2e` build (it reads window.peerchatTransfers).
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { browserCpuMs, MiB, openBoth, startPair, tempFiles } from './app-bench';

const mib = Number(process.argv[2] ?? 64);

/** The whole machine's CPU counters (all processes, ms): busy, iowait, idle. */
function machineCpu(): { busy: number; iowait: number; idle: number } {
  const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
  return { busy: (user + nice + system + irq + softirq + steal) * 10, iowait: iowait * 10, idle: idle * 10 };
}
const rounds = Number(process.argv[3] ?? 3);

function dirBytes(dir: string): number {
  let sum = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e);
    try {
      const s = statSync(p);
      sum += s.isDirectory() ? dirBytes(p) : s.size;
    } catch {
      /* gone */
    }
  }
  return sum;
}

/** Bytes under alice's profile folders whose path mentions IndexedDB. */
function idbBytes(name: string): number {
  let sum = 0;
  for (const d of readdirSync(tmpdir())) {
    if (!d.startsWith(`peerchat-e2e-${name}-`)) continue;
    const walk = (p: string): void => {
      let entries: string[] = [];
      try {
        entries = readdirSync(p);
      } catch {
        return;
      }
      for (const e of entries) {
        const q = path.join(p, e);
        if (e === 'IndexedDB') sum += dirBytes(q);
        else if (!e.includes('.') && statSync(q, { throwIfNoEntry: false })?.isDirectory()) walk(q);
      }
    };
    walk(path.join(tmpdir(), d));
  }
  return sum;
}

const files = await tempFiles();
const pair = await startPair();
try {
  const alicePage = pair.alice.raw.kind === 'chromium' ? pair.alice.raw.page : null;
  // Every data channel the sender sends on, so its bufferedAmount can be sampled.
  await alicePage?.evaluate(`(() => {
    const orig = RTCDataChannel.prototype.send;
    globalThis.__dcs = new Set();
    RTCDataChannel.prototype.send = function (d) { globalThis.__dcs.add(this); return orig.call(this, d); };
  })()`);
  await openBoth(pair);
  const file = await files.make(`tl-${mib}MiB.bin`, mib * MiB);
  const bob = pair.bob.raw.kind === 'chromium' ? pair.bob.raw.page : null;
  if (!bob) throw new Error('chromium only');
  for (let round = 1; round <= rounds; round++) {
    await bob.evaluate(`globalThis.__auto = setInterval(() => {
      const list = document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation')?.shadowRoot?.querySelector('pc-message-list')?.shadowRoot;
      for (const card of list?.querySelectorAll('pc-file-card') ?? []) {
        const b = Array.from(card.shadowRoot?.querySelectorAll('button') ?? []).find((x) => (x.textContent || '').trim() === 'Accept');
        if (b) b.click();
      }
    }, 10)`);
    const names = [pair.alice.name, pair.bob.name];
    const t0 = Date.now();
    const c0 = browserCpuMs(names);
    const start = (await bob.evaluate('globalThis.peerchatTransfers.chunksReceived')) as number;
    await pair.alice.setFiles('Attach file', [file]);
    // In the pages, every 10 ms: the sender's bufferedAmount and how late the timer fired (main
    // thread busy), the receiver's chunk count and lateness.
    const SAMPLER = `globalThis.__tl = []; globalThis.__tlLast = performance.now(); globalThis.__tlTimer = setInterval(() => {
      const now = performance.now();
      let b = 0; for (const dc of globalThis.__dcs ?? []) b = Math.max(b, dc.bufferedAmount);
      globalThis.__tl.push([Math.round(now), Math.round(now - globalThis.__tlLast - 10), b, globalThis.peerchatTransfers?.chunksReceived ?? 0]);
      globalThis.__tlLast = now;
    }, 10)`;
    await alicePage?.evaluate(SAMPLER);
    await bob.evaluate(SAMPLER);
    const rows: { t: number; cpu: number; chunks: number; idb: number; machine: ReturnType<typeof machineCpu> }[] = [];
    let last = { t: 0, cpu: c0 };
    for (;;) {
      await new Promise((r) => setTimeout(r, 50));
      const t = Date.now() - t0;
      const cpu = browserCpuMs(names);
      const chunks = ((await bob.evaluate('globalThis.peerchatTransfers.chunksReceived')) as number) - start;
      const idb = idbBytes(pair.alice.name);
      rows.push({ t, cpu: cpu - c0, chunks, idb, machine: machineCpu() });
      console.log(`r${round} t=${t} busy=${(((cpu - last.cpu) / (t - last.t)) * 100).toFixed(0)}% chunks=${chunks} aliceIdbMiB=${(idb / MiB).toFixed(1)}`);
      last = { t, cpu };
      if (chunks >= mib * 16 && rows.length > 2 && rows[rows.length - 2]?.chunks === chunks) break;
      if (t > 300_000) throw new Error('timeout');
    }
    await bob.evaluate('clearInterval(globalThis.__auto)');
    const STOP = 'clearInterval(globalThis.__tlTimer), globalThis.__tl';
    const aTl = ((await alicePage?.evaluate(STOP)) ?? []) as number[][];
    const bTl = (await bob.evaluate(STOP)) as number[][];
    const startChunks = bTl[0]?.[3] ?? 0;
    const firstIdx = bTl.findIndex((r) => (r[3] ?? 0) > startChunks);
    const lastIdx = bTl.findIndex((r) => (r[3] ?? 0) >= startChunks + mib * 16);
    if (firstIdx >= 0 && lastIdx > firstIdx) {
      const span = bTl.slice(firstIdx, lastIdx + 1);
      const t0b = span[0]![0]!;
      const t1b = span[span.length - 1]![0]!;
      // alice's samples from the first to the last with bytes buffered (the pages' clocks differ)
      const aFirst = aTl.findIndex((r) => r[2]! > 0);
      let aLast = aTl.length - 1;
      while (aLast > 0 && aTl[aLast]![2] === 0) aLast--;
      const activeA = aFirst >= 0 ? aTl.slice(aFirst, aLast + 1) : [];
      const low = activeA.filter((r) => r[2]! < 256 * 1024).length;
      const hi = activeA.filter((r) => r[2]! > 3 * 1024 * 1024).length;
      const lateA = activeA.reduce((s2, r) => s2 + Math.max(0, r[1]!), 0);
      const lateB = span.reduce((s2, r) => s2 + Math.max(0, r[1]!), 0);
      let stillB = 0;
      for (let i = 1; i < span.length; i++) if (span[i]![3] === span[i - 1]![3]) stillB += span[i]![0]! - span[i - 1]![0]!;
      console.error(
        `round ${round} pages: receiving ${((t1b - t0b) / 1000).toFixed(2)} s; bob: ${stillB} ms in 10 ms samples without a new chunk, timer lateness ${lateB} ms; `
          + `alice: ${activeA.length} samples, bufferedAmount < 256 KiB in ${low}, > 3 MiB in ${hi}, timer lateness ${lateA} ms`,
      );
      if (process.env.TL_DUMP) for (const r of activeA) console.log(`a ${r.join(' ')}`);
      if (process.env.TL_DUMP) for (const r of span) console.log(`b ${r.join(' ')}`);
    }
    const first = rows.find((r) => r.chunks > 0);
    const done = rows.find((r) => r.chunks >= mib * 16);
    let gap = 0;
    for (let i = 1; i < rows.length; i++) if (rows[i]!.chunks === rows[i - 1]!.chunks && rows[i]!.chunks > 0 && rows[i]!.chunks < mib * 16) gap += rows[i]!.t - rows[i - 1]!.t;
    if (first && done) {
      const secs = (done.t - first.t) / 1000;
      const busy = ((done.cpu - first.cpu) / (done.t - first.t)) * 100;
      const ms = done.t - first.t;
      const m = { busy: done.machine.busy - first.machine.busy, iowait: done.machine.iowait - first.machine.iowait, idle: done.machine.idle - first.machine.idle };
      console.error(
        `round ${round}: ${((mib * MiB) / 1e6 / secs).toFixed(2)} MB/s first→last chunk; both browsers busy ${busy.toFixed(0)} %; `
          + `whole machine busy ${((m.busy / ms) * 100).toFixed(0)} %, iowait ${((m.iowait / ms) * 100).toFixed(0)} %, idle ${((m.idle / ms) * 100).toFixed(0)} % (of 200 %); `
          + `${gap} ms in 50 ms samples without a new chunk`,
      );
    }
    await new Promise((r) => setTimeout(r, 1500));
  }
} finally {
  await pair.close();
  await files.dispose();
}
