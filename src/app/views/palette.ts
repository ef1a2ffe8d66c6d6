import { hcl, lab, rgb, schemeTableau10, type LabColor } from 'd3';

/** Colour of noise points (cluster id −1 and any negative id): a neutral grey. */
export const NOISE_COLOR = '#b8bcc6';

/** Distinct colours before the palette repeats. */
export const PALETTE_SIZE = 128;

let cache: string[] | null = null;

/**
 * A palette for many clusters. The first nine colours are Tableau 10 (familiar, and the best choice
 * for small k; its grey is left out so it is not mistaken for noise). The rest are picked greedily
 * from an HCL grid of mid-light, mid-chroma colours: each new colour is the candidate farthest in
 * CIELAB from every colour already chosen and from the noise grey, so cluster 40 is as
 * distinguishable as the palette allows, not a lightness shift of cluster 0. Deterministic.
 */
export function clusterPalette(): readonly string[] {
  if (cache) return cache;
  const chosen: LabColor[] = schemeTableau10.slice(0, 9).map((c) => lab(c));
  const candidates: LabColor[] = [];
  for (let l = 42; l <= 80; l += 5) {
    for (let c = 30; c <= 70; c += 10) {
      for (let h = 0; h < 360; h += 6) {
        const colour = hcl(h, c, l);
        if (colour.displayable()) candidates.push(lab(rgb(colour)));
      }
    }
  }
  const noise = lab(NOISE_COLOR);
  const nearest = candidates.map((cand) => Math.min(deltaE(cand, noise), ...chosen.map((p) => deltaE(cand, p))));
  while (chosen.length < PALETTE_SIZE) {
    let best = 0;
    for (let i = 1; i < nearest.length; i++) if (nearest[i] > nearest[best]) best = i;
    const pick = candidates[best];
    chosen.push(pick);
    for (let i = 0; i < nearest.length; i++) nearest[i] = Math.min(nearest[i], deltaE(candidates[i], pick));
  }
  cache = chosen.map((c) => rgb(c).formatHex());
  return cache;
}

/** Colour of a cluster id; negative ids are noise. Ids beyond the palette cycle. */
export function clusterColor(id: number): string {
  if (id < 0 || !Number.isFinite(id)) return NOISE_COLOR;
  const p = clusterPalette();
  return p[Math.floor(id) % p.length];
}

/** CIE76 colour difference: Euclidean distance in CIELAB. */
export function deltaE(a: LabColor, b: LabColor): number {
  return Math.hypot(a.l - b.l, a.a - b.a, a.b - b.b);
}
