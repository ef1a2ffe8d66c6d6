import { css, unsafeCSS, type CSSResult } from 'lit';

/**
 * The light theme as CSS custom properties. Custom properties inherit through shadow roots, so
 * setting them once on the document (`applyTheme()`) styles every component; each component
 * still names a fallback so it looks right on a page that never applies the theme.
 */
export const THEME = {
  font: `system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', sans-serif`,
  mono: `ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace`,
  bg: '#f6f7fb',
  panel: '#ffffff',
  text: '#1d2330',
  muted: '#5b6475',
  faint: '#8a92a3',
  border: '#e2e5ec',
  hover: '#f2f4f8',
  accent: '#3b6cf6',
  accentSoft: '#eef3ff',
  chip: '#eef0f5',
  mark: '#fff1b8',
  radius: '10px',
  shadow: '0 1px 2px rgba(20, 28, 45, 0.06), 0 4px 16px rgba(20, 28, 45, 0.06)',
  tooltipBg: 'rgba(24, 29, 41, 0.94)',
  tooltipText: '#f4f6fb',
} as const;

export type ThemeToken = keyof typeof THEME;

/** `accentSoft` → `--cst-accent-soft`. */
export function themeVar(token: ThemeToken): string {
  return `--cst-${token.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

function declarations(): string {
  return (Object.keys(THEME) as ThemeToken[]).map((k) => `${themeVar(k)}: ${THEME[k]};`).join(' ');
}

/** `:root { --cst-…: … }` — the values are our constants, never user data. */
export const themeVars: CSSResult = unsafeCSS(`:root { ${declarations()} color-scheme: light; }`);

/** Installs the theme variables on a document once (idempotent). */
export function applyTheme(doc: Document = document): void {
  const sheet = themeVars.styleSheet;
  if (sheet) {
    if (!doc.adoptedStyleSheets.includes(sheet)) doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
    return;
  }
  // Browsers without constructable stylesheets: a plain <style> element.
  if (doc.getElementById('cst-theme')) return;
  const style = doc.createElement('style');
  style.id = 'cst-theme';
  style.textContent = themeVars.cssText;
  doc.head.append(style);
}

/** Controls shared by the views: inputs, buttons, chips, headings. */
export const controlStyles = css`
  :host {
    font-family: var(--cst-font, system-ui, sans-serif);
    color: var(--cst-text, #1d2330);
    font-size: 0.9rem;
    line-height: 1.4;
  }
  *, *::before, *::after { box-sizing: border-box; }
  input[type='search'], input[type='text'] {
    font: inherit;
    width: 100%;
    padding: 0.45rem 0.65rem;
    border: 1px solid var(--cst-border, #e2e5ec);
    border-radius: 8px;
    background: var(--cst-panel, #fff);
    color: inherit;
  }
  input:focus-visible, button:focus-visible, [tabindex]:focus-visible {
    outline: 2px solid var(--cst-accent, #3b6cf6);
    outline-offset: 1px;
  }
  button {
    font: inherit;
    font-size: 0.85rem;
    color: var(--cst-text, #1d2330);
    background: var(--cst-panel, #fff);
    border: 1px solid var(--cst-border, #e2e5ec);
    border-radius: 8px;
    padding: 0.3rem 0.7rem;
    cursor: pointer;
  }
  button:hover:not([disabled]) { background: var(--cst-hover, #f2f4f8); }
  button[disabled] { opacity: 0.45; cursor: default; }
  .chip {
    display: inline-block;
    padding: 0.1rem 0.5rem;
    border-radius: 999px;
    background: var(--cst-chip, #eef0f5);
    font-size: 0.78rem;
    color: var(--cst-text, #1d2330);
    overflow-wrap: anywhere;
  }
  .muted { color: var(--cst-muted, #5b6475); }
  .swatch {
    display: inline-block;
    flex: none;
    width: 0.8rem;
    height: 0.8rem;
    border-radius: 3px;
    box-shadow: inset 0 0 0 1px rgba(0, 0, 0, 0.12);
  }
  mark { background: var(--cst-mark, #fff1b8); color: inherit; border-radius: 2px; }
`;
