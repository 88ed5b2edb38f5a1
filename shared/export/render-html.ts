/**
 * A conversation as one standalone HTML file a person can open in any browser, years later,
 * offline: inline styles only, no scripts, no external resources of any kind (a
 * Content-Security-Policy of `default-src 'none'` in the file itself enforces that even if
 * something slipped through), light and dark. Every piece of text is HTML-escaped; links in
 * messages stay plain text (opening the file fetches nothing).
 */
import {
  ENGLISH_EXPORT_LABELS,
  defaultFormatSize,
  defaultFormatTime,
  fillLabel,
  isoTime,
  reactionPairs,
  type ExportConversation,
  type ExportMessage,
  type ExportOptions,
} from './export-model';

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1b1b1f;--muted:#5d5e66;--in:#eef0f4;--out:#dcebff;--line:#d0d3da}
@media (prefers-color-scheme:dark){:root{--bg:#121317;--fg:#e6e6ea;--muted:#a3a4ad;--in:#22242b;--out:#1d3350;--line:#3a3c45}}
body{margin:0 auto;max-width:46rem;padding:1rem;background:var(--bg);color:var(--fg);font:16px/1.45 system-ui,sans-serif}
h1{font-size:1.3rem;margin:0 0 .25rem}
.meta{color:var(--muted);font-size:.85rem;margin:0 0 1rem}
ol{list-style:none;margin:0;padding:0}
li{margin:.5rem 0;padding:.5rem .75rem;border-radius:.6rem;background:var(--in);max-width:85%;overflow-wrap:anywhere}
li.out{background:var(--out);margin-left:auto}
li.sys{background:none;color:var(--muted);font-style:italic;text-align:center;max-width:none}
.who{font-weight:600}.when{color:var(--muted);font-size:.8rem;margin-left:.5rem}
.text{white-space:pre-wrap;margin-top:.2rem}
blockquote{margin:.3rem 0;padding:.2rem .5rem;border-left:3px solid var(--line);color:var(--muted)}
.deleted{font-style:italic;color:var(--muted)}.reactions{font-size:.85rem;margin-top:.25rem}
`;

function renderMessage(m: ExportMessage, o: Required<ExportOptions>): string {
  const L = o.labels;
  const when = `<time class="when" datetime="${escapeHtml(isoTime(m.ts))}">${escapeHtml(o.formatTime(m.ts))}</time>`;
  if (m.kind !== undefined) return `<li class="sys">${escapeHtml(fillLabel(L.systemLine, { text: m.text }))}${when}</li>\n`;
  const edited = m.editedAt !== undefined && m.recalledAt === undefined ? ` <span class="when">(${escapeHtml(L.edited)})</span>` : '';
  let out = `<li class="${m.outgoing ? 'out' : 'in'}"><span class="who">${escapeHtml(m.from)}</span>${when}${edited}`;
  if (m.reply && m.recalledAt === undefined) {
    const quote = m.reply.excerpt === '' ? L.deleted : m.reply.excerpt;
    out += `<blockquote>${escapeHtml(fillLabel(L.replyTo, { name: m.reply.author }))}: ${escapeHtml(quote)}</blockquote>`;
  }
  if (m.recalledAt !== undefined) out += `<div class="text deleted">${escapeHtml(L.deleted)}</div>`;
  else if (m.file) out += `<div class="text">${escapeHtml(fillLabel(L.file, { name: m.file.name, size: o.formatSize(m.file.size) }))}</div>`;
  else out += `<div class="text">${escapeHtml(m.text)}</div>`;
  const reactions = m.recalledAt === undefined ? reactionPairs(m) : [];
  if (reactions.length > 0) out += `<div class="reactions">${reactions.map((r) => `${escapeHtml(r.emoji)} ${r.count}`).join(' · ')}</div>`;
  return out + '</li>\n';
}

/** The HTML export in pieces (a long history streams into a Blob without one huge string). */
export function* htmlChunks(conv: ExportConversation, opts: ExportOptions & { lang?: string } = {}): Generator<string> {
  const o: Required<ExportOptions> = {
    labels: opts.labels ?? ENGLISH_EXPORT_LABELS,
    formatTime: opts.formatTime ?? defaultFormatTime,
    formatSize: opts.formatSize ?? defaultFormatSize,
  };
  const title = escapeHtml(fillLabel(o.labels.title, { name: conv.peerName }));
  const lang = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(opts.lang ?? '') ? (opts.lang as string) : 'en';
  yield '<!doctype html>\n' +
    `<html lang="${lang}"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">` +
    '<meta name="referrer" content="no-referrer">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${title}</title><style>${STYLE}</style></head>\n<body>\n` +
    `<h1>${title}</h1>\n<p class="meta">${escapeHtml(fillLabel(o.labels.exportedAt, { time: o.formatTime(conv.exportedAt) }))}</p>\n<ol>\n`;
  for (const m of conv.messages) yield renderMessage(m, o);
  yield '</ol>\n</body></html>\n';
}

/** The whole HTML export as one string. */
export function renderHtml(conv: ExportConversation, opts: ExportOptions & { lang?: string } = {}): string {
  return [...htmlChunks(conv, opts)].join('');
}
