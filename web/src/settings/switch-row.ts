import { html, nothing } from 'lit';

/**
 * One setting as a labelled switch: the label is the switch's accessible name, the hint its
 * description. `onChange` gets the new state.
 */
export function switchRow(o: { id: string; label: string; hint?: string; checked: boolean; disabled?: boolean; onChange: (on: boolean) => void }) {
  return html`<div class="row">
    <div class="text">
      <label for=${o.id}>${o.label}</label>
      ${o.hint ? html`<span class="hint" id=${`${o.id}-hint`}>${o.hint}</span>` : nothing}
    </div>
    <input
      id=${o.id}
      type="checkbox"
      role="switch"
      aria-describedby=${o.hint ? `${o.id}-hint` : nothing}
      ?disabled=${!!o.disabled}
      .checked=${o.checked}
      @change=${(e: Event) => o.onChange((e.target as HTMLInputElement).checked)}
    />
  </div>`;
}
