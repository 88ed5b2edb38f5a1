/**
 * A conversation as JSON, for people and programs: a versioned shape (`format` and `version`;
 * a change that removes or renames a field raises the version). Times are both milliseconds
 * since the epoch and ISO 8601 UTC. Written one message per line inside the array, so a long
 * export streams; `<`, U+2028 and U+2029 are escaped, so it is safe to paste into HTML or JS.
 *
 * Shape (version 1):
 *   { format: "peerchat-conversation", version: 1, exportedAt, exportedAtIso,
 *     conversation: { conv, peerName }, self: { name },
 *     messages: [ { id, from, outgoing, ts, time, text,
 *                   edited?: { ts, time }, deleted?: { ts, time },
 *                   replyTo?: { id, author, excerpt },
 *                   reactions?: [ { by, emoji } ],
 *                   file?: { name, size, mime? }, system?: kind } ] }
 */
import { isoTime as iso, type ExportConversation, type ExportMessage } from './export-model';

export const CONVERSATION_JSON_FORMAT = 'peerchat-conversation';
export const CONVERSATION_JSON_VERSION = 1;

/** JSON.stringify made safe to embed in HTML or JS source. */
function safeStringify(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** One message in the version-1 shape. */
export function messageJson(m: ExportMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { id: m.id, from: m.from, outgoing: m.outgoing, ts: m.ts, time: iso(m.ts), text: m.recalledAt !== undefined ? '' : m.text };
  if (m.editedAt !== undefined && m.recalledAt === undefined) out.edited = { ts: m.editedAt, time: iso(m.editedAt) };
  if (m.recalledAt !== undefined) out.deleted = { ts: m.recalledAt, time: iso(m.recalledAt) };
  if (m.reply && m.recalledAt === undefined) out.replyTo = { id: m.reply.id, author: m.reply.author, excerpt: m.reply.excerpt };
  if (m.reactions && m.recalledAt === undefined) {
    const list = Object.entries(m.reactions).map(([by, r]) => ({ by, emoji: r.emoji }));
    if (list.length > 0) out.reactions = list.sort((a, b) => (a.by < b.by ? -1 : 1));
  }
  if (m.file && m.recalledAt === undefined) out.file = m.file.mime ? { name: m.file.name, size: m.file.size, mime: m.file.mime } : { name: m.file.name, size: m.file.size };
  if (m.kind !== undefined) out.system = m.kind;
  return out;
}

/** The JSON export in pieces (one message per piece). */
export function* jsonChunks(conv: ExportConversation): Generator<string> {
  const head = {
    format: CONVERSATION_JSON_FORMAT,
    version: CONVERSATION_JSON_VERSION,
    exportedAt: conv.exportedAt,
    exportedAtIso: iso(conv.exportedAt),
    conversation: { conv: conv.conv, peerName: conv.peerName },
    self: { name: conv.selfName },
  };
  const headText = safeStringify(head);
  yield headText.slice(0, -1) + ',"messages":[';
  let first = true;
  for (const m of conv.messages) {
    yield (first ? '\n' : ',\n') + safeStringify(messageJson(m));
    first = false;
  }
  yield '\n]}\n';
}

/** The whole JSON export as one string. */
export function renderJson(conv: ExportConversation): string {
  return [...jsonChunks(conv)].join('');
}
