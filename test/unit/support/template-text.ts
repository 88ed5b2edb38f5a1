// A lint-like check for the l10n tests: text a person sees written straight into a Lit template
// (`html\`<button>Send</button>\``, `title="Close"`) instead of going through `msg()`.

import ts from 'typescript';

/** Attributes whose value a person reads or hears. */
const VISIBLE_ATTRIBUTES = ['title', 'aria-label', 'aria-description', 'aria-roledescription', 'aria-valuetext', 'placeholder', 'alt', 'label'];

/** Text that is not language: brand names, symbols and units. */
export const NOT_LANGUAGE: ReadonlySet<string> = new Set(['Peerchat', '←', '·', '…', '/', '✓', '(', ')', 'BLAKE2b', 'BLAKE2b …']);

export interface UnwrappedText {
  file: string;
  line: number;
  text: string;
}

function isMsgCall(node: ts.Node): boolean {
  return ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'msg';
}

/** The literal parts of a template, with a marker where each `${…}` goes. */
function literalText(t: ts.TemplateLiteral): string {
  if (ts.isNoSubstitutionTemplateLiteral(t)) return t.rawText ?? t.text;
  return [t.head.rawText ?? t.head.text, ...t.templateSpans.map((s) => s.literal.rawText ?? s.literal.text)].join('\u0000');
}

/** What a template shows as text, and the literal values of its visible attributes. */
function visibleTexts(markup: string): string[] {
  const found: string[] = [];
  const attr = new RegExp(`\\s(?:${VISIBLE_ATTRIBUTES.join('|')})\\s*=\\s*(?:"([^"\\u0000]*)"|'([^'\\u0000]*)')`, 'g');
  for (const tag of markup.match(/<[^>]*>/g) ?? []) for (const m of tag.matchAll(attr)) found.push(m[1] ?? m[2] ?? '');
  const text = markup
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, '\u0000')
    .replace(/&[a-z]+;|&#\d+;/g, ' ');
  found.push(...text.split('\u0000'));
  return found.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => /\p{L}/u.test(s) && !NOT_LANGUAGE.has(s));
}

/** Every piece of visible text written straight into an `html` template of this source (not inside `msg(…)`). */
export function unwrappedTexts(file: string, source: string): UnwrappedText[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const out: UnwrappedText[] = [];
  const visit = (node: ts.Node, inMsg: boolean): void => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && node.tag.text === 'html' && !inMsg) {
      for (const text of visibleTexts(literalText(node.template))) {
        out.push({ file, line: sf.getLineAndCharacterOfPosition(node.getStart()).line + 1, text });
      }
    }
    // A msg(html`…`) is translated as a whole; templates nested in its `${…}` are not.
    const direct = isMsgCall(node);
    ts.forEachChild(node, (child) => {
      const childInMsg = direct && ts.isTaggedTemplateExpression(child);
      visit(child, childInMsg || (inMsg && !ts.isTemplateSpan(child)));
    });
  };
  visit(sf, false);
  return out;
}
