// Conversation export (shared/export/): Markdown, standalone HTML and JSON, with hostile text.
// Nothing a person wrote may turn into markup, scripts, links, images or external fetches.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExportConversation, ExportMessage } from '../../shared/export/export-model';
import { escapeMarkdownLine, renderMarkdown } from '../../shared/export/render-markdown';
import { escapeHtml, renderHtml } from '../../shared/export/render-html';
import { CONVERSATION_JSON_FORMAT, CONVERSATION_JSON_VERSION, renderJson } from '../../shared/export/render-json';

const T = Date.UTC(2026, 0, 31, 14, 5);
const id = (n: number): string => n.toString(16).padStart(32, '0');

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  '[click](javascript:alert(1)) ![pic](http://evil.example/p.png)',
  '# Heading\n- list\n1. ordered\n> quote\n    code\n---\n===',
  '**bold** _it_ `code` ~~s~~ | a | b |',
  '&lt;b&gt; &amp; <http://evil.example>',
  '</li></ol><style>body{display:none}</style>',
];

function conv(messages: ExportMessage[]): ExportConversation {
  return { conv: 'bob', peerName: '<b>Bob</b>', selfName: 'Alice', exportedAt: T, messages };
}

const messages: ExportMessage[] = [
  ...HOSTILE.map((text, i) => ({ id: id(i + 1), from: i % 2 ? 'Alice' : '<i>Bob</i>', outgoing: i % 2 === 1, text, ts: T + i })),
  { id: id(20), from: 'Bob', outgoing: false, text: '', ts: T + 20, recalledAt: T + 30 },
  { id: id(21), from: 'Alice', outgoing: true, text: 'fixed', ts: T + 21, editedAt: T + 40, reply: { id: id(1), author: 'Bob', excerpt: '<script>x</script>' } },
  { id: id(22), from: 'Bob', outgoing: false, text: 'photo.jpg', ts: T + 22, file: { name: '<x>.jpg', size: 1_500_000 } },
  { id: id(23), from: 'Bob', outgoing: false, text: '👍 me', ts: T + 23, reactions: { alice: { emoji: '❤️', ts: T }, bob: { emoji: '👍', ts: T } } },
];

describe('export: Markdown', () => {
  const md = renderMarkdown(conv(messages));

  test('no raw HTML, links, images or block markup come out of what people wrote', () => {
    assert.ok(!/<(script|img|svg|style|i|b)\b/i.test(md), 'no tags');
    assert.ok(!/(?<!\\)\]\(/.test(md) && !/(?<!\\)\[/.test(md), 'no link syntax: every bracket escaped');
    assert.ok(!md.includes('!['), 'no image syntax');
    for (const line of md.split('\n')) {
      if (line.startsWith('# ') && !line.startsWith('# Conversation with')) assert.fail(`a heading from text: ${line}`);
      assert.ok(!/^(- |\d+\. |> (?!Replying)| {4})/.test(line), `block markup from text: ${line}`);
    }
  });

  test('escaping keeps the text readable as what was written', () => {
    assert.equal(escapeMarkdownLine('*hi* [a](b) ![c](d)'), '\\*hi\\* \\[a\\](b) !\\[c\\](d)');
    assert.equal(escapeMarkdownLine('1. one'), '1\\. one');
    assert.equal(escapeMarkdownLine('<b>&'), '&lt;b&gt;&amp;');
    assert.equal(escapeMarkdownLine('  indented'), '&nbsp;&nbsp;indented');
    assert.equal(escapeMarkdownLine('plain words, fine.'), 'plain words, fine.');
  });

  test('recalled, edited, reply, file and reactions are shown; a recalled text is not', () => {
    assert.ok(md.includes('This message was deleted.'));
    assert.ok(md.includes('(edited)'));
    assert.ok(md.includes('Replying to Bob'));
    assert.ok(md.includes('File: &lt;x&gt;.jpg (1.5 MB)'));
    assert.ok(md.includes('👍 1 · ❤️ 1'));
    assert.ok(md.includes('2026-01-31 14:05 UTC'));
  });
});

describe('export: HTML', () => {
  const html = renderHtml(conv(messages));

  test('every hostile string is escaped: no script, handler, style or tag from the text', () => {
    assert.ok(!/<script/i.test(html));
    assert.ok(!/<img|<svg|<i>|<b>/i.test(html));
    assert.ok(!/<[^>]*\son\w+=/i.test(html), 'no event handler attributes');
    assert.equal((html.match(/<style>/g) ?? []).length, 1, 'only our own style element');
    for (const s of HOSTILE) assert.ok(html.includes(escapeHtml(s)), `escaped: ${s.slice(0, 20)}`);
  });

  test('standalone: no external resources, no scripts allowed, light and dark', () => {
    assert.ok(html.startsWith('<!doctype html>'));
    assert.ok(html.includes(`content="default-src 'none'; style-src 'unsafe-inline'"`));
    assert.ok(!/<[^>]*\s(src|href)=/i.test(html), 'nothing is loaded or linked');
    assert.ok(!/url\(/i.test(html));
    assert.ok(html.includes('prefers-color-scheme:dark'));
    assert.ok(html.includes('<title>Conversation with &lt;b&gt;Bob&lt;/b&gt;</title>'));
  });

  test('escapeHtml covers quotes for attributes', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
  });

  test('the lang attribute takes only a language tag', () => {
    assert.ok(renderHtml(conv([]), { lang: 'zh-CN' }).includes('<html lang="zh-CN">'));
    assert.ok(renderHtml(conv([]), { lang: '"><script>' }).includes('<html lang="en">'));
  });
});

describe('export: JSON', () => {
  const text = renderJson(conv(messages));
  const doc = JSON.parse(text) as {
    format: string;
    version: number;
    conversation: { peerName: string };
    messages: Record<string, unknown>[];
  };

  test('a versioned shape that parses back to the same texts', () => {
    assert.equal(doc.format, CONVERSATION_JSON_FORMAT);
    assert.equal(doc.version, CONVERSATION_JSON_VERSION);
    assert.equal(doc.conversation.peerName, '<b>Bob</b>');
    assert.equal(doc.messages.length, messages.length);
    HOSTILE.forEach((s, i) => assert.equal(doc.messages[i]?.text, s));
    assert.equal(doc.messages[0]?.time, '2026-01-31T14:05:00.000Z');
  });

  test('recalled: no text, a deleted mark; edited, reply, reactions and files kept', () => {
    const byId = new Map(doc.messages.map((m) => [m.id, m]));
    assert.deepEqual(byId.get(id(20))?.deleted, { ts: T + 30, time: new Date(T + 30).toISOString() });
    assert.equal(byId.get(id(20))?.text, '');
    assert.equal((byId.get(id(21))?.edited as { ts: number }).ts, T + 40);
    assert.equal((byId.get(id(21))?.replyTo as { excerpt: string }).excerpt, '<script>x</script>');
    assert.deepEqual(byId.get(id(23))?.reactions, [
      { by: 'alice', emoji: '❤️' },
      { by: 'bob', emoji: '👍' },
    ]);
    assert.deepEqual(byId.get(id(22))?.file, { name: '<x>.jpg', size: 1_500_000 });
  });

  test('a time no Date can hold does not break an export', () => {
    const odd = conv([{ id: id(1), from: 'a', outgoing: true, text: 'x', ts: Number.MAX_SAFE_INTEGER }]);
    assert.doesNotThrow(() => renderJson(odd));
    assert.doesNotThrow(() => renderHtml(odd));
    assert.doesNotThrow(() => renderMarkdown(odd));
  });

  test('safe to embed in HTML: no "<" or line separators appear raw', () => {
    assert.ok(!text.includes('<'));
    assert.ok(!renderJson(conv([{ id: id(1), from: 'a', outgoing: true, text: 'x\u2028y', ts: T }])).includes('\u2028'));
  });
});
