/**
 * Homogeneity, completeness and V-measure (Rosenberg & Hirschberg 2007), as scikit-learn computes
 * them: entropies in nats, h = I(C;K) / H(C), c = I(C;K) / H(K), each 1 when its entropy is 0.
 * Labels may be strings or numbers; every distinct predicted value is a cluster, so noise (−1)
 * counts as one more cluster, as in scikit-learn.
 */

import { contingency, informationOf } from './external';

export type LabelLike = ArrayLike<string | number>;

export interface HomogeneityCompletenessV {
  homogeneity: number;
  completeness: number;
  vMeasure: number;
}

/** Homogeneity, completeness and V-measure in one pass; beta weighs completeness (default 1). */
export function homogeneityCompletenessV(labels: LabelLike, pred: LabelLike, beta = 1): HomogeneityCompletenessV {
  const n = labels.length;
  if (pred.length !== n) throw new RangeError(`labels (${n}) and pred (${pred.length}) differ in length`);
  if (n === 0) return { homogeneity: 1, completeness: 1, vMeasure: 1 };
  const { mi, hLabels: hC, hPred: hK } = informationOf(contingency(labels, pred));
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
