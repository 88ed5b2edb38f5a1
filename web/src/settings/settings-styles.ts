import { css } from 'lit';

/** Sections, rows and switches shared by the Settings screen and its parts. */
export const settingsStyles = css`
  section {
    min-width: 0;
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 10px;
    padding: 14px 16px;
    border: 1px solid var(--pc-border);
    border-radius: var(--pc-radius);
    background: var(--pc-surface);
  }
  h3 {
    margin: 0;
    font-size: 1.05rem;
  }
  p {
    margin: 0;
    line-height: 1.45;
  }
  .muted {
    color: var(--pc-muted);
    font-size: 0.92rem;
  }
  .row {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 12px;
    min-height: var(--pc-touch);
  }
  .row > label,
  .row > .text {
    flex: 1;
    min-width: 0;
  }
  /* A switch's label is a target too (a tap on it flips the switch): as tall as a finger. */
  .row > .text > label {
    display: flex;
    align-items: center;
    min-height: var(--pc-touch);
  }
  .hint {
    display: block;
    color: var(--pc-muted);
    font-size: 0.88rem;
    margin-top: 2px;
  }
  input[type='checkbox'][role='switch'] {
    appearance: none;
    flex: none;
    position: relative;
    width: 46px;
    height: 28px;
    margin: 0;
    border-radius: 14px;
    background: var(--pc-border);
    border: 1px solid var(--pc-muted);
    cursor: pointer;
  }
  input[type='checkbox'][role='switch']::after {
    content: '';
    position: absolute;
    top: 3px;
    left: 3px;
    width: 20px;
    height: 20px;
    border-radius: 50%;
    background: var(--pc-bg);
    border: 1px solid var(--pc-muted);
    transition: transform 0.15s;
  }
  input[type='checkbox'][role='switch']:checked {
    background: var(--pc-accent);
    border-color: var(--pc-accent);
  }
  input[type='checkbox'][role='switch']:checked::after {
    transform: translateX(18px);
    border-color: var(--pc-accent-text);
  }
  input[type='checkbox'][role='switch']:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  input:focus-visible {
    outline: 3px solid var(--pc-accent);
    outline-offset: 2px;
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 10px;
  }
  .error {
    padding: 10px 12px;
    border-radius: 8px;
    background: var(--pc-danger-bg);
    color: var(--pc-danger);
  }
  .part {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 10px;
  }
  .ok {
    color: var(--pc-ok);
  }
`;

/**
 * A labelled field of the Settings parts (profile name, backup passphrase, backup file): the label
 * text above its control, full width, 44 px tall. Labels take `class="field"`.
 */
export const fieldStyles = css`
  label.field {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: 6px;
  }
  label.field input {
    font: inherit;
    min-height: var(--pc-touch);
    padding: 6px 10px;
    border: 1px solid var(--pc-border);
    border-radius: 8px;
    background: var(--pc-bg);
    color: var(--pc-text);
    max-width: 100%;
  }
  h4 {
    margin: 0;
    font-size: 1rem;
  }
`;
