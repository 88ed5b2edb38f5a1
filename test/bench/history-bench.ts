// History figures in the real app (one Chromium page, logged in): `count` messages stored in one
// conversation (written straight into IndexedDB with their search tokens, as the app writes them),
// then, each as a median of several runs beside a baseline measured in the same page:
//   search_p50_ms                 the app's search (index lookups, candidates checked, ranked)
//   search_raw_lookup_p50_ms      baseline: the bare IndexedDB key lookup of the rarest token
//   open_100k_newest50_ms         open the conversation until its newest 50 messages are drawn
//   open_raw_newest50_ms          baseline: the bare IndexedDB read of the newest 50
import { indexTokens } from '../../shared/search/index';
import type { BrowserUser } from '../e2e/browser-types';
import { median } from './app-bench';

const CONV = 'benchhistory';

/**
 * `fn` rebuilt from its source with a no-op `__name` in scope: tsx (esbuild keepNames) wraps
 * inner named functions in `__name(…)` calls, which do not exist in the page.
 */
function pageFn<A, R>(fn: (arg: A) => R): (arg: A) => R {
  return new Function('arg', `"use strict"; const __name = (f) => f; return (${fn.toString()})(arg);`) as (arg: A) => R;
}
const WORDS = ['meeting', 'report', 'lunch', 'photos', 'weekend', 'train', 'project', 'budget', 'coffee', 'deadline', 'holiday', 'music'];
const CJK = ['明天开会', '周末去爬山', '报告写好了', '晚饭吃什么', '火车晚点了', '项目预算'];

function text(i: number): string {
  const w = (k: number) => WORDS[(i * 7 + k * 13) % WORDS.length];
  const base = i % 4 === 0 ? `${CJK[i % CJK.length]} ${w(1)}` : `About the ${w(0)} and the ${w(1)}, number ${i}`;
  // A few rare words, so searches have both common and rare terms.
  return i % 997 === 0 ? `${base} zeppelin 飞艇` : base;
}

export const HISTORY_QUERIES = ['zeppelin', 'zepp', '飞艇', 'budget deadline', '报告'];

async function seed(user: BrowserUser, count: number, log: (m: string) => void): Promise<void> {
  const start = Date.now() - count * 1000;
  const CHUNK = 5000;
  const dbName = await user.evaluate(() => (document.querySelector('pc-app') as unknown as { service: { database: { name: string } } }).service.database.name);
  for (let from = 0; from < count; from += CHUNK) {
    const rows = [];
    for (let i = from; i < Math.min(count, from + CHUNK); i++) {
      const t = text(i);
      rows.push({ id: `h${String(i).padStart(7, '0')}`, conv: CONV, from: i % 2 ? CONV : 'me', outgoing: i % 2 === 0, text: t, ts: start + i * 1000, state: i % 2 ? 'received' : 'delivered', seq: 1_000_000 + i, tokens: indexTokens(t) });
    }
    await user.evaluate(
      pageFn((arg: { rows: unknown[]; conv: string; last: number; name: string }) =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open(arg.name);
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const tx = db.transaction(['messages', 'conversations'], 'readwrite');
            for (const r of arg.rows) tx.objectStore('messages').put(r);
            tx.objectStore('conversations').put({ conv: arg.conv, peerName: arg.conv, lastText: '', lastTs: arg.last, unread: 0, contact: 'contact', answering: true });
            tx.oncomplete = () => (db.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
        })),
      { rows, conv: CONV, last: start + count * 1000, name: dbName },
    );
    log(`  seeded ${Math.min(count, from + CHUNK)}/${count}`);
  }
}

/** Runs in the page: the app's search and the raw lookup, per query, `runs` times each. */
function measureSearch(arg: { queries: string[]; runs: number; conv: string }): Promise<{ app: number[]; raw: number[] }> {
  const app = document.querySelector('pc-app') as unknown as { service: { database: { name: string } } };
  // A second, plain connection to the same database: the baseline reads through it.
  const rawConnection = (name: string) =>
    new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
  const db = app.service.database;
  const search = window.peerchatSearch;
  if (!search) throw new Error('not an e2e build (no window.peerchatSearch)');
  return (async () => {
    const out = { app: [] as number[], raw: [] as number[] };
    const raw = await rawConnection(db.name);
    for (let r = 0; r < arg.runs; r++) {
      for (const q of arg.queries) {
        let t = performance.now();
        await search(db as never, q);
        out.app.push(performance.now() - t);
        // The first term's bare key lookup (a prefix range, as the app looks words up).
        const token = (q.split(' ')[0] ?? q).toLowerCase();
        t = performance.now();
        await new Promise<void>((resolve, reject) => {
          const req = raw.transaction('messages').objectStore('messages').index('by-token').getAllKeys(IDBKeyRange.bound(token, token + '\uffff'));
          req.onsuccess = () => resolve();
          req.onerror = () => reject(req.error);
        });
        out.raw.push(performance.now() - t);
      }
    }
    raw.close();
    return out;
  })();
}

/** Runs in the page: open the conversation until 50 messages are drawn; then the raw read of 50. */
async function measureOpen(arg: { conv: string }): Promise<{ app: number; raw: number }> {
  const app = document.querySelector('pc-app') as unknown as { service: { open(name: string | null): Promise<void>; database: unknown } };
  const drawn = (): number => {
    const conv = app && (document.querySelector('pc-app')?.shadowRoot?.querySelector('pc-conversation') ?? null);
    const list = conv?.shadowRoot?.querySelector('pc-message-list');
    return list?.shadowRoot?.querySelectorAll('li.msg').length ?? 0;
  };
  await app.service.open(null);
  while (drawn() > 0) await new Promise((r) => requestAnimationFrame(r));
  const t0 = performance.now();
  void app.service.open(arg.conv);
  while (drawn() < 50) await new Promise((r) => setTimeout(r, 0));
  const appMs = performance.now() - t0;
  const rawDb = await new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open((app.service.database as { name: string }).name);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const t1 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const range = IDBKeyRange.bound([arg.conv, -Infinity, ''], [arg.conv, Infinity, ''], false, true);
    const req = rawDb.transaction('messages').objectStore('messages').index('by-conv-ts').openCursor(range, 'prev');
    let n = 0;
    req.onsuccess = () => {
      const c = req.result;
      if (c && ++n < 50) c.continue();
      else resolve();
    };
    req.onerror = () => reject(req.error);
  });
  const rawMs = performance.now() - t1;
  rawDb.close();
  return { app: appMs, raw: rawMs };
}

export async function historyFigures(user: BrowserUser, count: number, log: (m: string) => void): Promise<[string, number, string][]> {
  await seed(user, count, log);
  const s = await user.evaluate(pageFn(measureSearch), { queries: HISTORY_QUERIES, runs: 5, conv: CONV });
  log(`search: app ${s.app.map((x) => x.toFixed(1)).join(' ')} ms; raw ${s.raw.map((x) => x.toFixed(1)).join(' ')} ms`);
  const opens: number[] = [];
  const raws: number[] = [];
  for (let i = 0; i < 5; i++) {
    const o = await user.evaluate(pageFn(measureOpen), { conv: CONV });
    opens.push(o.app);
    raws.push(o.raw);
  }
  log(`open: app ${opens.map((x) => x.toFixed(1)).join(' ')} ms; raw ${raws.map((x) => x.toFixed(1)).join(' ')} ms`);
  const k = count >= 1000 ? `${Math.round(count / 1000)}k` : String(count);
  return [
    ['search_p50_ms', median(s.app), 'ms'],
    ['search_raw_lookup_p50_ms', median(s.raw), 'ms'],
    [`open_${k}_newest50_ms`, median(opens), 'ms'],
    ['open_raw_newest50_ms', median(raws), 'ms'],
  ];
}
