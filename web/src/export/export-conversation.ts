/**
 * Exporting one conversation to a file: the history is read from this device in pages, turned
 * into Markdown, standalone HTML or JSON by the pure renderers (shared/export), and written as
 * it is produced: to the file the person picks where the browser can save to a file
 * (File System Access API), else into a Blob of pieces that is downloaded.
 */
import { htmlChunks, jsonChunks, markdownChunks, type ExportConversation, type ExportLabels, type ExportMessage } from '../../../shared/export/index';
import type { ChatDb, StoredMessage } from '../db/schema';
import { formatBytes, formatDateTime } from '../format/format';
import { fileNameStamp } from '../format/format';

export type ExportFormat = 'markdown' | 'html' | 'json';

const TYPES: Record<ExportFormat, { ext: string; mime: string }> = {
  markdown: { ext: 'md', mime: 'text/markdown' },
  html: { ext: 'html', mime: 'text/html' },
  json: { ext: 'json', mime: 'application/json' },
};

const READ_PAGE = 1000;
/** Strings are joined into pieces of about this size before they become Blob parts or writes. */
const PIECE_CHARS = 256 * 1024;

/** Every message of the conversation, oldest first, read a page per transaction. */
async function readAll(db: ChatDb, conv: string): Promise<ExportMessage[]> {
  const out: ExportMessage[] = [];
  let after: [string, number, string] = [conv, -Infinity, ''];
  for (;;) {
    const page = await db.getAllFromIndex('messages', 'by-conv-ts', IDBKeyRange.bound(after, [conv, Infinity, ''], true, true), READ_PAGE);
    const files = await Promise.all(page.map((m) => (m.fileId ? db.get('transfers', m.fileId) : Promise.resolve(undefined))));
    page.forEach((m, i) => out.push(toExport(m, files[i]?.offer)));
    const last = page.at(-1);
    if (!last || page.length < READ_PAGE) return out;
    after = [conv, last.ts, last.id];
  }
}

function toExport(m: StoredMessage, offer: { name: string; size: number; mime: string } | undefined): ExportMessage {
  const e: ExportMessage = { id: m.id, from: m.from, outgoing: m.outgoing, text: m.text, ts: m.ts };
  if (m.kind) e.kind = m.kind;
  if (m.fileId) e.file = offer ? { name: offer.name, size: offer.size, mime: offer.mime } : { name: m.text, size: 0 };
  return e;
}

/** A file name like "Peerchat-bob-2026-11-30-0501.md" (no characters file systems refuse). */
export function exportFileName(peerName: string, format: ExportFormat, now: number): string {
  const safe = peerName.replace(/[^\p{L}\p{N}_.-]+/gu, '_').slice(0, 40) || 'conversation';
  return `Peerchat-${safe}-${fileNameStamp(now)}.${TYPES[format].ext}`;
}

/** Groups small strings into pieces of about PIECE_CHARS. */
function* pieces(chunks: Iterable<string>): Generator<string> {
  let buf: string[] = [];
  let size = 0;
  for (const c of chunks) {
    buf.push(c);
    size += c.length;
    if (size >= PIECE_CHARS) {
      yield buf.join('');
      buf = [];
      size = 0;
    }
  }
  if (buf.length) yield buf.join('');
}

interface SaveFilePicker {
  showSaveFilePicker?: (o: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<{
    createWritable(): Promise<{ write(d: string): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
  }>;
}

export interface ExportRequest {
  db: ChatDb;
  conv: string;
  peerName: string;
  selfName: string;
  format: ExportFormat;
  labels: ExportLabels;
  lang: string;
  now: number;
}

/**
 * Writes the export. Returns 'saved' (written to a picked file), 'downloaded' (handed to the
 * browser's downloads), or 'cancelled' (the person closed the save dialog).
 */
export async function exportConversation(r: ExportRequest): Promise<'saved' | 'downloaded' | 'cancelled'> {
  const messages = await readAll(r.db, r.conv);
  const conv: ExportConversation = { conv: r.conv, peerName: r.peerName, selfName: r.selfName, exportedAt: r.now, messages };
  const opts = { labels: r.labels, formatTime: (ms: number) => formatDateTime(ms), formatSize: (b: number) => formatBytes(b) };
  const chunks = r.format === 'markdown' ? markdownChunks(conv, opts) : r.format === 'html' ? htmlChunks(conv, { ...opts, lang: r.lang }) : jsonChunks(conv);
  const name = exportFileName(r.peerName, r.format, r.now);
  const { mime, ext } = TYPES[r.format];
  const picker = (window as unknown as SaveFilePicker).showSaveFilePicker;
  if (picker) {
    let handle;
    try {
      handle = await picker({ suggestedName: name, types: [{ description: name, accept: { [mime]: [`.${ext}`] } }] });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return 'cancelled';
      throw err;
    }
    const w = await handle.createWritable();
    try {
      for (const p of pieces(chunks)) await w.write(p);
      await w.close();
    } catch (err) {
      await w.abort().catch(() => undefined);
      throw err;
    }
    return 'saved';
  }
  const blob = new Blob([...pieces(chunks)], { type: `${mime};charset=utf-8` });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own copy once started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return 'downloaded';
}
