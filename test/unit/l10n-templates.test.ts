// No user-visible text in a Lit template of web/src that does not go through msg(): the
// template check (test/unit/support/template-text.ts) over every source file, and the check
// itself on small samples so it is known to catch what it should.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { unwrappedTexts } from './support/template-text';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'generated' ? [] : sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('text in Lit templates is translated', () => {
  test('the check finds text and visible attributes, and lets msg(), markup and symbols through', () => {
    const sample = [
      "html`<button title=\"Close it\" @click=${go}>Send</button>`;",
      "html`<p>${msg('Fine')}</p><img alt=${msg('Fine too')} /><span aria-hidden=\"true\">←</span>`;",
      "html`${msg(html`Open <code>${url}</code> now`)} <span aria-label=\"Code\">${x}</span>`;",
      "html`<span class=\"brand\">Peerchat</span> ${ok ? html`<b>Not translated</b>` : nothing}`;",
      "msg(html`Wrapped ${cond ? html`<i>nested, not wrapped</i>` : ''}`);",
    ].join('\n');
    assert.deepEqual(
      unwrappedTexts('sample.ts', sample).map((u) => `${u.line}: ${u.text}`),
      ['1: Close it', '1: Send', '3: Code', '4: Not translated', '5: nested, not wrapped'],
    );
  });

  test('every component renders again when the language changes (@localized)', () => {
    const components = sourceFiles('web/src').filter((file) => readFileSync(file, 'utf8').includes('@customElement('));
    assert.ok(components.length > 20);
    assert.deepEqual(
      components.filter((file) => !/@customElement\('[^']+'\)\n@localized\(\)/.test(readFileSync(file, 'utf8'))),
      [],
    );
  });

  test('every sentence of web/src/l10n/error-text.ts goes through msg()', () => {
    const source = readFileSync('web/src/l10n/error-text.ts', 'utf8');
    const sf = ts.createSourceFile('error-text.ts', source, ts.ScriptTarget.ES2022, true);
    const plain: string[] = [];
    const visit = (node: ts.Node): void => {
      const option = ts.isPropertyAssignment(node) && ['id', 'desc'].includes(node.name.getText(sf)); // msg()'s own options
      if (ts.isPropertyAssignment(node) && !option && (ts.isStringLiteral(node.initializer) || ts.isNoSubstitutionTemplateLiteral(node.initializer))) {
        plain.push(`${node.name.getText(sf)}: ${node.initializer.text}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
    assert.deepEqual(plain, [], "write new sentences as msg('…', { id: 'error-<CODE>' }) and translate them");
  });

  test('no template of web/src shows text that is not wrapped in msg()', () => {
    const found = sourceFiles('web/src').flatMap((file) => unwrappedTexts(file, readFileSync(file, 'utf8')));
    assert.deepEqual(
      found.map((u) => `${u.file}:${u.line}: ${u.text}`),
      [],
    );
  });
});
