// The link tokenizer (shared/messaging/link-text.ts): which addresses in a message become links,
// where they end, and that nothing else (other schemes, disguised hosts, huge input) is linked.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LINK_LIMITS, linkHref, linkParts, type TextPart } from '../../shared/messaging/link-text';

const links = (text: string): string[] => linkParts(text).flatMap((p) => (p.type === 'link' ? [p.text] : []));
const hrefs = (text: string): string[] => linkParts(text).flatMap((p) => (p.type === 'link' ? [p.href] : []));
const joined = (parts: TextPart[]): string => parts.map((p) => p.text).join('');

describe('linkParts', () => {
  test('plain text is one text part, the empty string none', () => {
    assert.deepEqual(linkParts('hello there'), [{ type: 'text', text: 'hello there' }]);
    assert.deepEqual(linkParts(''), []);
  });

  test('an address between words becomes a link; the parts join back to the text', () => {
    const text = 'see https://example.com/a?b=1#c now';
    const parts = linkParts(text);
    assert.deepEqual(parts, [
      { type: 'text', text: 'see ' },
      { type: 'link', text: 'https://example.com/a?b=1#c', href: 'https://example.com/a?b=1#c' },
      { type: 'text', text: ' now' },
    ]);
    assert.equal(joined(parts), text);
  });

  test('http, https in any case, and www. (opened as https)', () => {
    assert.deepEqual(hrefs('http://a.example HTTPS://B.EXAMPLE/X www.c.example/d'), ['http://a.example/', 'https://b.example/X', 'https://www.c.example/d']);
    assert.deepEqual(links('http://a.example HTTPS://B.EXAMPLE/X www.c.example/d'), ['http://a.example', 'HTTPS://B.EXAMPLE/X', 'www.c.example/d']);
  });

  test('ports, IP addresses and localhost', () => {
    assert.deepEqual(links('at http://192.168.1.20:8080/x and http://localhost:5173 and http://[::1]:8080/'), [
      'http://192.168.1.20:8080/x',
      'http://localhost:5173',
      'http://[::1]:8080/',
    ]);
  });

  test('sentence punctuation after an address is not part of it', () => {
    assert.deepEqual(links('Go to https://example.com. Or https://example.org/x, or https://example.net/y!?'), [
      'https://example.com',
      'https://example.org/x',
      'https://example.net/y',
    ]);
    assert.deepEqual(links("'https://example.com/q'"), ['https://example.com/q']);
    assert.deepEqual(links('https://example.com/a...'), ['https://example.com/a']);
  });

  test('parentheses and brackets: kept when the address opened them, dropped when the text did', () => {
    assert.deepEqual(links('(see https://example.com/x)'), ['https://example.com/x']);
    assert.deepEqual(links('https://en.wikipedia.org/wiki/Peer_(disambiguation)'), ['https://en.wikipedia.org/wiki/Peer_(disambiguation)']);
    assert.deepEqual(links('(https://en.wikipedia.org/wiki/Peer_(disambiguation))'), ['https://en.wikipedia.org/wiki/Peer_(disambiguation)']);
    assert.deepEqual(links('[link](https://example.com/md)'), ['https://example.com/md']);
    assert.deepEqual(links('[https://example.com/b]'), ['https://example.com/b']);
  });

  test('Chinese text straight after (or before) an address is not part of it', () => {
    const text = '看这个https://example.com/视频很好，还有www.example.cn。';
    const parts = linkParts(text);
    assert.deepEqual(
      parts.filter((p) => p.type === 'link').map((p) => p.text),
      ['https://example.com/', 'www.example.cn'],
    );
    assert.equal(joined(parts), text);
    assert.deepEqual(links('链接：https://example.com（官网）'), ['https://example.com']);
  });

  test('javascript:, data:, file: and other schemes are never links', () => {
    for (const text of [
      'javascript:alert(1)',
      'JavaScript:alert(document.cookie)',
      'data:text/html,<script>alert(1)</script>',
      'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
      'file:///etc/passwd',
      'vbscript:msgbox(1)',
      'ftp://example.com/x',
      'mailto:a@example.com',
    ]) {
      assert.deepEqual(links(text), [], text);
    }
  });

  test('an address glued to another scheme or a word is not linked', () => {
    assert.deepEqual(links('javascript://www.example.com/%0aalert(1)'), []);
    assert.deepEqual(links('xhttps://example.com'), []);
    assert.deepEqual(links('foo.www.example.com'), []);
    assert.deepEqual(links('user@www.example.com'), []);
  });

  test('a user name or password before the host (a disguise) keeps the address text', () => {
    assert.deepEqual(links('https://bank.example@evil.example/login'), []);
    assert.deepEqual(links('https://user:pass@example.com/'), []);
  });

  test('incomplete addresses stay text', () => {
    assert.deepEqual(links('https:// and http:/x and www. and www.example and https://'), []);
    assert.deepEqual(links('https://-bad-.example'), []);
  });

  test('quotes, angle brackets and spaces end an address; no markup can ride along', () => {
    assert.deepEqual(links('<https://example.com/a>'), ['https://example.com/a']);
    assert.deepEqual(links('"https://example.com/"onmouseover="alert(1)"'), ['https://example.com/']);
    assert.deepEqual(links('https://example.com/<script>'), ['https://example.com/']);
    for (const p of linkParts('https://example.com/"><img src=x onerror=alert(1)>')) {
      if (p.type === 'link') assert.doesNotMatch(p.href, /[<>"\s]/);
    }
  });

  test('Unicode host names are not linked (look-alikes); their punycode form is', () => {
    assert.deepEqual(links('https://例子.测试/'), []);
    assert.deepEqual(links('https://аpple.com'), []);
    assert.deepEqual(links('https://xn--fsqu00a.xn--0zwm56d/'), ['https://xn--fsqu00a.xn--0zwm56d/']);
  });

  test('an address over the length cap stays text; one at the cap is linked', () => {
    const head = 'https://example.com/';
    const atCap = head + 'a'.repeat(LINK_LIMITS.maxUrlChars - head.length);
    assert.deepEqual(links(`x ${atCap} y`), [atCap]);
    assert.deepEqual(links(`x ${atCap}a y`), []);
    assert.equal(linkHref(atCap + 'a'), null);
  });

  test('at most maxLinks links per message; the rest stays text, and the text is kept whole', () => {
    const text = Array.from({ length: LINK_LIMITS.maxLinks + 20 }, (_, i) => `https://e${i}.example`).join(' ');
    const parts = linkParts(text);
    assert.equal(parts.filter((p) => p.type === 'link').length, LINK_LIMITS.maxLinks);
    assert.equal(joined(parts), text);
  });

  test('hostile input of message size is split quickly and whole', () => {
    // Many almost-addresses: each must be rejected without backtracking over the rest.
    const text = 'https://'.repeat(2000) + '(' .repeat(4000) + 'www.'.repeat(2000) + ')'.repeat(4000);
    const parts = linkParts(text);
    assert.equal(joined(parts), text);
    const long = `https://example.com/${'('.repeat(8000)}${')'.repeat(8000)}`;
    assert.equal(joined(linkParts(long)), long);
    assert.deepEqual(links(long), []);
  });

  test('emoji and other non-ASCII characters around an address', () => {
    assert.deepEqual(links('👍https://example.com/ok👍'), ['https://example.com/ok']);
    const text = 'ça va? https://example.fr/é';
    assert.deepEqual(links(text), ['https://example.fr/']);
    assert.equal(joined(linkParts(text)), text);
  });
});
