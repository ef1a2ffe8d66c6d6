import { css } from 'lit';

/** The run wizard's shared look: radio cards (`.choice`), rows of labelled fields, hints. */
export const wizardStyles = css`
  :host { display: block; }
  .choices { display: grid; gap: 0.5rem; }
  .choice { display: flex; gap: 0.6rem; border: 1px solid var(--cst-border, #ddd); border-radius: 8px; padding: 0.6rem 0.75rem; cursor: pointer; }
  .choice.on { border-color: var(--cst-accent, #3b6cf6); background: #f3f6ff; }
  .choice small { display: block; color: var(--cst-muted, #555); margin-top: 0.15rem; }
  .row { display: flex; flex-wrap: wrap; gap: 0.9rem; margin-top: 0.7rem; align-items: end; }
  label.f { display: flex; flex-direction: column; font-size: 0.85rem; color: var(--cst-muted, #555); gap: 0.2rem; }
  select, input, button { font: inherit; padding: 0.25rem; }
  .hint { font-size: 0.8rem; color: var(--cst-muted, #555); }
`;
