// Runs IN THE PAGE, bundled once by test/e2e/page-queries.ts and installed as
// `globalThis.__peerchatA11y` before the app's own scripts. It finds elements the way people and
// assistive technology do: by ARIA role and accessible name, computed by dom-accessibility-api
// (the accname and html-aam implementation Testing Library uses), across the composed tree
// (open shadow roots and slotted content), so no test needs to know which component renders what.

import { computeAccessibleDescription, computeAccessibleName, getRole } from 'dom-accessibility-api';

/** A regular expression that survives JSON (page functions only take JSON arguments). */
export interface Pattern {
  re: string;
  flags?: string;
}

/** One step of a lookup: each step searches inside every element the previous step found. */
export interface Step {
  /** ARIA role, explicit (`role="…"`) or implicit from the HTML element. */
  role?: string;
  /** Accessible name: a string matches exactly (whitespace collapsed), a Pattern by RegExp. */
  name?: string | Pattern;
  /** Accessible description (aria-describedby, title): exact string or Pattern, like `name`. */
  description?: string | Pattern;
  /** A form control (input, textarea, select, contenteditable) whose accessible name is exactly this. */
  label?: string;
  /** The element's rendered text contains this string, or matches the Pattern. */
  text?: string | Pattern;
  /** Also elements hidden from assistive technology (display:none, aria-hidden, inert). Default false. */
  hidden?: boolean;
  /** Only elements with a box on screen (width and height above 0, visibility visible). Default false. */
  visible?: boolean;
}

/** What a person (or a screen reader) gets from one element. */
export interface Seen {
  role: string | null;
  name: string;
  /** Rendered text, block boxes on their own lines, whitespace collapsed. */
  text: string;
  /** aria-valuenow, as a number, when the element has one. */
  value: number | null;
  /** The checked state of a checkbox or switch; null for other elements. */
  checked: boolean | null;
  disabled: boolean;
}

const FORM_CONTROLS = new Set(['input', 'textarea', 'select']);

const collapse = (s: string | null | undefined): string => (s ?? '').replace(/\s+/g, ' ').trim();

function matches(actual: string, want: string | Pattern | undefined, exact: boolean): boolean {
  if (want === undefined) return true;
  if (typeof want === 'string') return exact ? collapse(actual) === collapse(want) : collapse(actual).includes(collapse(want));
  return new RegExp(want.re, want.flags).test(actual);
}

/** The parent in the composed tree: slot for slotted nodes, host for shadow roots. */
function composedParent(el: Element): Element | null {
  if (el.assignedSlot) return el.assignedSlot;
  if (el.parentElement) return el.parentElement;
  const root = el.getRootNode();
  return root instanceof ShadowRoot ? root.host : null;
}

/** Hidden from assistive technology: display:none (also of an ancestor), visibility:hidden, aria-hidden, inert. */
export function isHidden(el: Element): boolean {
  if (!el.checkVisibility({ visibilityProperty: true })) return true;
  for (let n: Element | null = el; n; n = composedParent(n)) {
    if (n.getAttribute('aria-hidden') === 'true' || n.hasAttribute('inert')) return true;
  }
  return false;
}

function hasBox(el: Element): boolean {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility === 'visible';
}

/** Every element below `root` in composed-tree order (shadow content before light children). */
function descendants(root: Node): Element[] {
  const out: Element[] = [];
  const visit = (node: Node): void => {
    const el = node instanceof Element ? node : null;
    if (el?.shadowRoot) for (const child of Array.from(el.shadowRoot.children)) visitElement(child);
    for (const child of Array.from((node as ParentNode).children ?? [])) visitElement(child);
  };
  const visitElement = (el: Element): void => {
    out.push(el);
    visit(el);
  };
  visit(root);
  return out;
}

export function roleOf(el: Element): string | null {
  return getRole(el);
}

export function nameOf(el: Element): string {
  return collapse(computeAccessibleName(el));
}

function isLabelled(el: Element): boolean {
  return FORM_CONTROLS.has(el.localName) || (el as HTMLElement).isContentEditable;
}

function fits(el: Element, step: Step): boolean {
  if (step.role !== undefined && roleOf(el) !== step.role) return false;
  if (step.label !== undefined && (!isLabelled(el) || nameOf(el) !== collapse(step.label))) return false;
  if (!step.hidden && isHidden(el)) return false;
  if (step.visible && !hasBox(el)) return false;
  if (step.name !== undefined && !matches(nameOf(el), step.name, true)) return false;
  if (step.description !== undefined && !matches(collapse(computeAccessibleDescription(el)), step.description, true)) return false;
  if (step.text !== undefined && !matches(renderedText(el), step.text, false)) return false;
  return true;
}

/** Every element the steps lead to, in document order, each once. */
export function queryAll(steps: readonly Step[], root: Node = document): Element[] {
  let found: Node[] = [root];
  for (const step of steps) {
    const next = new Set<Element>();
    for (const scope of found) for (const el of descendants(scope)) if (fits(el, step)) next.add(el);
    found = [...next];
  }
  return found as Element[];
}

/**
 * The one element the steps lead to, null when there is none yet; throws when several match
 * (the lookup is ambiguous: say more, e.g. a container step first).
 */
export function queryOne(steps: readonly Step[], root: Node = document): Element | null {
  const all = queryAll(steps, root);
  if (all.length > 1) {
    const what = all.slice(0, 5).map((el) => `<${el.localName}> ${roleOf(el) ?? ''} "${nameOf(el)}"`).join(', ');
    throw new Error(`${all.length} elements match ${JSON.stringify(steps)}: ${what}`);
  }
  return all[0] ?? null;
}

export function describe(el: Element): Seen {
  const now = el.getAttribute('aria-valuenow');
  const role = roleOf(el);
  const checkable = role === 'checkbox' || role === 'switch' || role === 'radio';
  return {
    role,
    name: nameOf(el),
    text: renderedText(el),
    value: now === null || now === '' ? null : Number(now),
    checked: checkable ? ((el as HTMLInputElement).checked ?? el.getAttribute('aria-checked') === 'true') : null,
    disabled: (el as HTMLButtonElement).disabled === true || el.getAttribute('aria-disabled') === 'true',
  };
}

/** The text nodes of the composed subtree, concatenated as they are (like textContent, through shadow roots and slots). */
export function composedText(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return (node as Text).data;
  if (node instanceof HTMLSlotElement) {
    const assigned = node.assignedNodes({ flatten: true });
    return (assigned.length ? assigned : Array.from(node.childNodes)).map(composedText).join('');
  }
  if (node instanceof Element && ['script', 'style', 'template'].includes(node.localName)) return '';
  if (node instanceof Element && node.shadowRoot) return composedText(node.shadowRoot);
  return Array.from(node.childNodes, composedText).join('');
}

/**
 * The rendered text of the composed subtree below `root` (the whole page by default), skipping
 * display:none / visibility:hidden and script/style. Block boxes become line breaks, atomic
 * inline boxes get spaces, other whitespace is collapsed.
 */
export function renderedText(root: Node | null = document.body): string {
  const out: string[] = [];
  const SKIP = new Set(['script', 'style', 'template', 'noscript', 'head', 'title', 'meta', 'link']);
  const walk = (node: Node): void => {
    if (node.nodeType === Node.TEXT_NODE) {
      const parent = (node as Text).parentElement;
      if (!parent || getComputedStyle(parent).visibility === 'visible') out.push((node as Text).data);
      return;
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const el = node as Element;
      if (SKIP.has(el.localName)) return;
      const style = getComputedStyle(el);
      if (style.display === 'none') return;
      if (el.localName === 'br') {
        out.push('\n');
        return;
      }
      const block = style.display !== 'inline' && style.display !== 'contents' && !style.display.startsWith('inline');
      const atomic = style.display.startsWith('inline-');
      if (block) out.push('\n');
      else if (atomic) out.push(' ');
      if (el.shadowRoot) walk(el.shadowRoot); // light children render only through <slot>s
      else if (el instanceof HTMLSlotElement) {
        const assigned = el.assignedNodes({ flatten: true });
        (assigned.length > 0 ? assigned : Array.from(el.childNodes)).forEach(walk);
      } else el.childNodes.forEach(walk);
      if (block) out.push('\n');
      else if (atomic) out.push(' ');
      return;
    }
    if (node.nodeType === Node.DOCUMENT_FRAGMENT_NODE || node.nodeType === Node.DOCUMENT_NODE) node.childNodes.forEach(walk);
  };
  if (root) walk(root);
  return out
    .join('')
    .replace(/[ \t\r\f\v\u00a0]+/g, ' ')
    .replace(/ *\n[ \n]*/g, '\n')
    .trim();
}

/** The element that has focus, looking into shadow roots. */
export function focused(): Element | null {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el;
}

/** Every composed descendant of `root` (itself included) carrying the attribute, with its value. */
export function attributeValues(root: Element, attribute: string): string[] {
  return [root, ...descendants(root)].flatMap((el) => (el.hasAttribute(attribute) ? [el.getAttribute(attribute) ?? ''] : []));
}
