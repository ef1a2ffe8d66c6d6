import { css, html } from 'lit';
import type { PromptLogEntry } from '../../core/llm/naming';

/**
 * "How it was named": every naming prompt that concerned a cluster, with the messages sent, the
 * answer, errors and repair notes, each folded in a <details>. LLM output is untrusted text: it
 * reaches the page only through text bindings.
 */
export function promptsFor(log: readonly PromptLogEntry[] | undefined, id: string): PromptLogEntry[] {
  return (log ?? []).filter((e) => e.ids.includes(id));
}

export function promptsSection(entries: readonly PromptLogEntry[], id: string) {
  if (entries.length === 0) return '';
  return html`<section class="prompts"><h3>How it was named</h3>
    ${entries.map(
      (e) => html`<details class="prompt" data-outcome=${e.outcome}>
        <summary>Prompt ${e.seq + 1}: ${e.batchSize} cluster${e.batchSize === 1 ? '' : 's'}, attempt ${e.attempt + 1} — ${outcomeText(e, id)}${e.ms ? `, ${(e.ms / 1000).toFixed(1)} s` : ''}</summary>
        ${e.messages.map((m) => html`<div class="role">${m.role}</div><pre>${m.content}</pre>`)}
        ${e.answer !== undefined ? html`<div class="role">answer</div><pre class="answer">${e.answer}</pre>` : ''}
        ${e.error ? html`<div class="role">error</div><pre>${e.error}</pre>` : ''}
        ${e.notes.length ? html`<div class="role">notes</div><pre>${e.notes.join('\n')}</pre>` : ''}
      </details>`,
    )}
  </section>`;
}

function outcomeText(e: PromptLogEntry, id: string): string {
  if (e.named.includes(id)) return 'named it';
  if (e.outcome === 'fallback') return 'keyword name given';
  if (e.missing.includes(id)) return 'the answer left it out';
  return e.outcome;
}

export const promptStyles = css`
  details.prompt { margin-bottom: 0.4rem; font-size: 0.8rem; }
  details.prompt summary { cursor: pointer; color: var(--cst-muted, #5b6475); }
  details.prompt pre { white-space: pre-wrap; overflow-wrap: anywhere; background: var(--cst-bg, #f6f7fb); border-radius: 6px; padding: 0.5rem; max-height: 18rem; overflow: auto; font-size: 0.75rem; margin: 0.3rem 0; }
  details.prompt .role { font-weight: 600; font-size: 0.72rem; text-transform: uppercase; color: var(--cst-muted, #5b6475); }
`;
