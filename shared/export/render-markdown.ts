/**
 * A conversation as Markdown (CommonMark / GitHub flavour). Everything a person wrote is
 * escaped so that it reads as the text it was, whatever viewer renders it: no headings, lists,
 * links, images, code or raw HTML can come out of a message or a name.
 */
import {
  ENGLISH_EXPORT_LABELS,
  defaultFormatSize,
  defaultFormatTime,
  fillLabel,
  reactionPairs,
  type ExportConversation,
  type ExportMessage,
  type ExportOptions,
} from './export-model';

/**
 * Characters with a meaning in Markdown anywhere in a line: backslash-escaped. `(`, `)` and `!`
 * only matter next to `[` or `]`, which are escaped, so they stay as typed.
 */
const INLINE_SPECIAL = /[\\`*_[\]#|~]/g;

/**
 * Escapes one line of text for Markdown: inline specials backslash-escaped, `<`, `>` and `&` as
 * HTML entities (no raw HTML, no autolinks in angle brackets, no entity tricks), line-start
 * markers (list, quote, heading rule, ordered list, indentation) neutralised.
 */
export function escapeMarkdownLine(line: string): string {
  let s = line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(INLINE_SPECIAL, (c) => '\\' + c);
  // Leading spaces or tabs would start a code block: keep them visible as no-break spaces.
  s = s.replace(/^[ \t]+/, (ws) => '&nbsp;'.repeat(ws.length));
  // Block markers at the start of a line: - + = (lists, setext headings), "1." / "1)" (ordered lists).
  s = s.replace(/^([-+=])/, '\\$1').replace(/^(\d{1,9})([.)])/, '$1\\$2');
  return s;
}

/** Escapes multi-line text: lines joined by hard breaks; an empty line stays inside the message. */
export function escapeMarkdownText(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((l) => (l.trim() === '' ? '\u00a0' : escapeMarkdownLine(l)))
    .join('\\\n');
}

function renderMessage(m: ExportMessage, o: Required<ExportOptions>): string {
  const L = o.labels;
  const when = escapeMarkdownLine(o.formatTime(m.ts));
  if (m.kind !== undefined) return `*${escapeMarkdownLine(fillLabel(L.systemLine, { text: m.text }))}* — ${when}\n\n`;
  const edited = m.editedAt !== undefined && m.recalledAt === undefined ? ` (${escapeMarkdownLine(L.edited)})` : '';
  let out = `**${escapeMarkdownLine(m.from)}** — ${when}${edited}\n\n`;
  if (m.reply && m.recalledAt === undefined) {
    const quote = m.reply.excerpt === '' ? L.deleted : m.reply.excerpt;
    out += `> ${escapeMarkdownLine(fillLabel(L.replyTo, { name: m.reply.author }))}: ${escapeMarkdownLine(quote)}\n\n`;
  }
  if (m.recalledAt !== undefined) out += `*${escapeMarkdownLine(L.deleted)}*\n\n`;
  else if (m.file) out += escapeMarkdownLine(fillLabel(L.file, { name: m.file.name, size: o.formatSize(m.file.size) })) + '\n\n';
  else out += escapeMarkdownText(m.text) + '\n\n';
  const reactions = m.recalledAt === undefined ? reactionPairs(m) : [];
  if (reactions.length > 0) out += reactions.map((r) => `${escapeMarkdownLine(r.emoji)} ${r.count}`).join(' · ') + '\n\n';
  return out;
}

function withDefaults(opts: ExportOptions): Required<ExportOptions> {
  return { labels: opts.labels ?? ENGLISH_EXPORT_LABELS, formatTime: opts.formatTime ?? defaultFormatTime, formatSize: opts.formatSize ?? defaultFormatSize };
}

/** The Markdown export in pieces (a long history streams into a Blob without one huge string). */
export function* markdownChunks(conv: ExportConversation, opts: ExportOptions = {}): Generator<string> {
  const o = withDefaults(opts);
  yield `# ${escapeMarkdownLine(fillLabel(o.labels.title, { name: conv.peerName }))}\n\n`;
  yield `*${escapeMarkdownLine(fillLabel(o.labels.exportedAt, { time: o.formatTime(conv.exportedAt) }))}*\n\n---\n\n`;
  for (const m of conv.messages) yield renderMessage(m, o);
}

/** The whole Markdown export as one string. */
export function renderMarkdown(conv: ExportConversation, opts: ExportOptions = {}): string {
  return [...markdownChunks(conv, opts)].join('');
}
