/** Data → screen geometry of the scatter, pure so it is unit-tested. */

export interface Extent {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
}

/** Screen position at zoom identity: sx = tx + scale·x, sy = ty − scale·y (y grows upwards). */
export interface Fit {
  scale: number;
  tx: number;
  ty: number;
}

/** Bounds of the finite points among the first n interleaved (x, y) pairs; null when there are none. */
export function dataExtent(coords: ArrayLike<number>, n: number): Extent | null {
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = coords[2 * i];
    const y = coords[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return x0 <= x1 ? { x0, x1, y0, y1 } : null;
}

/**
 * Fits the extent into width × height minus `pad` pixels on each side with one scale for both
 * axes (the map keeps the projection's shape), centred. A degenerate extent (one point, or all on
 * a line) gets a unit span so it still lands in the middle.
 */
export function fitExtent(e: Extent, width: number, height: number, pad: number): Fit {
  const dx = e.x1 - e.x0 || 1;
  const dy = e.y1 - e.y0 || 1;
  const w = Math.max(1, width - 2 * pad);
  const h = Math.max(1, height - 2 * pad);
  const scale = Math.min(w / dx, h / dy);
  const cx = (e.x0 + e.x1) / 2;
  const cy = (e.y0 + e.y1) / 2;
  return { scale, tx: width / 2 - scale * cx, ty: height / 2 + scale * cy };
}

/** Point radius in CSS pixels at zoom 1: smaller as the map gets crowded. */
export function pointRadius(n: number): number {
  if (n <= 500) return 4;
  if (n <= 3000) return 3;
  if (n <= 15000) return 2.2;
  if (n <= 50000) return 1.6;
  return 1.2;
}
