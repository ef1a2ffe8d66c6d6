/**
 * Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007), as scikit-learn computes
 * them: entropies in nats, h = I(C;K) / H(C), c = I(C;K) / H(K), each 1 when its entropy is 0.
 * Labels may be strings or numbers; every distinct predicted value is a cluster, so noise (−1)
 * counts as one more cluster, as in scikit-learn.
 */

export type LabelLike = ArrayLike<string | number>;

export interface HomogeneityCompletenessV {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** Dense ids 0..k−1 in order of first appearance. */
function encode(labels: LabelLike): { ids: Int32Array; k: number } {
  const map = new Map<string | number, number>();
  const ids = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i];
    let id = map.get(v);
    if (id === undefined) {
      id = map.size;
      map.set(v, id);
    }
    ids[i] = id;
  }
  return { ids, k: map.size };
}

function entropyOf(counts: ArrayLike<number>, n: number): number {
  let h = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) h -= (c / n) * Math.log(c / n);
  }
  return h;
}

/** Homogeneity, completeness and V-measure in one pass; beta weighs completeness (default 1). */
export function homogeneityCompletenessV(labels: LabelLike, pred: LabelLike, beta = 1): HomogeneityCompletenessV {
  const n = labels.length;
  if (pred.length !== n) throw new RangeError(`labels (${n}) and pred (${pred.length}) differ in length`);
  if (n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const C = encode(labels);
  const K = encode(pred);
  const classCounts = new Float64Array(C.k);
  const clusterCounts = new Float64Array(K.k);
  // Sparse contingency table keyed by class·k + cluster: at most n cells whatever C.k × K.k is.
  const cells = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    classCounts[C.ids[i]]++;
    clusterCounts[K.ids[i]]++;
    const key = C.ids[i] * K.k + K.ids[i];
    cells.set(key, (cells.get(key) ?? 0) + 1);
  }
  const hC = entropyOf(classCounts, n);
  const hK = entropyOf(clusterCounts, n);
  // I(C;K) = Σ n_ck/n · ln(n · n_ck / (n_c · n_k)).
  let mi = 0;
  for (const [key, nck] of cells) {
    const c = Math.floor(key / K.k);
    const k = key - c * K.k;
    mi += (nck / n) * Math.log((n * nck) / (classCounts[c] * clusterCounts[k]));
  }
  mi = Math.max(0, mi); // rounding can leave a tiny negative for independent labelings
  const homogeneity = hC > 0 ? Math.min(1, mi / hC) : 1;
  const completeness = hK > 0 ? Math.min(1, mi / hK) : 1;
  const vMeasure =
    homogeneity + completeness === 0
      ? 0
      : ((1 + beta) * homogeneity * completeness) / (beta * homogeneity + completeness);
  return { homogeneity, completeness, vMeasure };
}

/** 1 when every cluster holds members of a single class. */
export function homogeneity(labels: LabelLike, pred: LabelLike): number {
  return homogeneityCompletenessV(labels, pred).homogeneity;
}

/** 1 when all members of each class fall in the same cluster. */
export function completeness(labels: LabelLike, pred: LabelLike): number {
  return homogeneityCompletenessV(labels, pred).completeness;
}

/** Weighted harmonic mean of homogeneity and completeness; beta > 1 weighs completeness more. */
export function vMeasure(labels: LabelLike, pred: LabelLike, beta = 1): number {
  return homogeneityCompletenessV(labels, pred, beta).vMeasure;
}
