import { LitElement, css, html, svg } from 'lit';
import { extent, line, max, min, scaleLinear, scaleLog } from 'd3';
import type { SweepCurve } from '../../core/types';

/** The auto-k sweep: score per tried value, the chosen one marked. Small SVG; numbers only. */
export class SweepChart extends LitElement {
  static override properties = { curve: { attribute: false } };
  curve: SweepCurve | null = null;

  static override styles = css`
    :host { display: block; font-size: 11px; color: var(--cst-muted, #5b6475); }
    svg { display: block; width: 100%; height: auto; overflow: visible; }
    .axis { stroke: var(--cst-border, #ccd); }
    .line { fill: none; stroke: var(--cst-accent, #3b6cf6); stroke-width: 2; }
    .pt { fill: #fff; stroke: var(--cst-accent, #3b6cf6); stroke-width: 1.5; }
    .best { fill: var(--cst-accent, #3b6cf6); }
    text { fill: currentColor; }
  `;

  override render() {
    const c = this.curve;
    const pts = (c?.points ?? []).filter((p) => Number.isFinite(p.score));
    if (!c || pts.length === 0) return html``;
    const W = 320;
    const H = 120;
    const m = { l: 34, r: 8, t: 10, b: 22 };
    const [x0, x1] = extent(pts, (p) => p.param) as [number, number];
    const x = (x0 > 0 ? scaleLog() : scaleLinear()).domain([x0, Math.max(x1, x0 + 1)]).range([m.l, W - m.r]);
    const lo = min(pts, (p) => p.score) ?? 0;
    const hi = max(pts, (p) => p.score) ?? 1;
    const pad = (hi - lo) * 0.1 || 0.05;
    const y = scaleLinear().domain([lo - pad, hi + pad]).range([H - m.b, m.t]).nice();
    const path = line<(typeof pts)[number]>().x((p) => x(p.param)).y((p) => y(p.score))(pts) ?? '';
    return html`
      <div>${c.param === 'k' ? 'k' : 'min cluster size'} sweep: silhouette − 0.5 × noise (chosen: ${c.best})</div>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="score per value tried">
        ${svg`
          <line class="axis" x1=${m.l} x2=${W - m.r} y1=${H - m.b} y2=${H - m.b}></line>
          <line class="axis" x1=${m.l} x2=${m.l} y1=${m.t} y2=${H - m.b}></line>
          ${y.ticks(3).map((t) => svg`<text x=${m.l - 4} y=${y(t) + 3} text-anchor="end">${t.toFixed(2)}</text>`)}
          ${pts.map((p) => svg`<text x=${x(p.param)} y=${H - 6} text-anchor="middle">${p.param}</text>`)}
          <path class="line" d=${path}></path>
          ${pts.map((p) => svg`<circle class="pt ${p.param === c.best ? 'best' : ''}" data-param=${p.param} cx=${x(p.param)} cy=${y(p.score)} r="3.5"><title>${c.param} = ${p.param}: score ${p.score.toFixed(3)}, silhouette ${p.silhouette.toFixed(3)}</title></circle>`)}
        `}
      </svg>
    `;
  }
}

customElements.define('cst-sweep-chart', SweepChart);
