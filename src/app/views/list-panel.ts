import { css } from 'lit';

/**
 * The frame shared by the list panels (cluster list, hierarchy list): a bordered panel filling its
 * height, a head with a title, a count and a filter box, and a scrolling list below it.
 */
export const listPanelStyles = css`
  :host {
    display: flex; flex-direction: column; min-height: 0; height: 100%;
    background: var(--cst-panel, #fff);
    border: 1px solid var(--cst-border, #e2e5ec);
    border-radius: var(--cst-radius, 10px);
  }
  .head { padding: 0.7rem 0.75rem 0.5rem; border-bottom: 1px solid var(--cst-border, #e2e5ec); }
  .title { display: flex; justify-content: space-between; align-items: baseline; margin-bottom: 0.45rem; }
  h2 { font-size: 0.95rem; margin: 0; }
  .count { font-size: 0.78rem; color: var(--cst-muted, #5b6475); font-variant-numeric: tabular-nums; }
  ul { list-style: none; margin: 0; padding: 0.35rem; overflow: auto; flex: 1; min-height: 0; position: relative; }
`;

/** Scrolls `list` (only the list, never the page) so that `row`, one of its rows, is visible. */
export function scrollIntoList(list: HTMLElement, row: HTMLElement): void {
  const top = row.offsetTop;
  const bottom = top + row.offsetHeight;
  if (top < list.scrollTop) list.scrollTop = top - 4;
  else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight + 4;
}
