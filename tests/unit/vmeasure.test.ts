import { describe, expect, it } from 'vitest';
import { completeness, homogeneity, homogeneityCompletenessV, vMeasure } from '../../src/core/metrics/vmeasure';

// Expected values are the examples of scikit-learn's docstrings (homogeneity_score,
// completeness_score, v_measure_score) unless a comment gives the hand computation.

describe('homogeneity', () => {
  it('scikit-learn docstring examples', () => {
    expect(homogeneity([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(homogeneity([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(1, 12);
    expect(homogeneity([0, 0, 1, 1], [0, 1, 2, 3])).toBeCloseTo(1, 12);
    expect(homogeneity([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0, 12);
    expect(homogeneity([0, 0, 1, 1], [0, 0, 0, 0])).toBeCloseTo(0, 12);
  });
});

describe('completeness', () => {
  it('scikit-learn docstring examples', () => {
    expect(completeness([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    expect(completeness([0, 0, 1, 1], [0, 0, 0, 0])).toBeCloseTo(1, 12);
    expect(completeness([0, 1, 2, 3], [0, 0, 1, 1])).toBeCloseTo(1, 12);
    expect(completeness([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0, 12);
    expect(completeness([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 12);
  });
});

describe('vMeasure', () => {
  it('scikit-learn docstring examples', () => {
    expect(vMeasure([0, 0, 1, 1], [0, 0, 1, 1])).toBeCloseTo(1, 12);
    expect(vMeasure([0, 0, 1, 1], [1, 1, 0, 0])).toBeCloseTo(1, 12);
    // h = 1, c = ln2 / (1.5 ln2) = 2/3, V = 2·(2/3) / (5/3) = 0.8
    expect(vMeasure([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(0.8, 12);
    expect(vMeasure([0, 0, 1, 1], [0, 1, 2, 3])).toBeCloseTo(2 / 3, 12);
    expect(vMeasure([0, 0, 1, 2], [0, 0, 1, 1])).toBeCloseTo(0.8, 12);
    expect(vMeasure([0, 1, 2, 3], [0, 0, 1, 1])).toBeCloseTo(2 / 3, 12);
    expect(vMeasure([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(0, 12);
    expect(vMeasure([0, 0, 0, 0], [0, 1, 2, 3])).toBeCloseTo(0, 12);
    expect(vMeasure([0, 0, 1, 1], [0, 0, 0, 0])).toBeCloseTo(0, 12);
  });

  it('weighs completeness by beta', () => {
    // h = 1, c = 2/3: V_β = (1+β)hc / (βh + c); β = 2 → 2 / (8/3) = 0.75; β = 0.5 → 1 / (7/6) = 6/7.
    expect(vMeasure([0, 0, 1, 1], [0, 0, 1, 2], 2)).toBeCloseTo(0.75, 12);
    expect(vMeasure([0, 0, 1, 1], [0, 0, 1, 2], 0.5)).toBeCloseTo(6 / 7, 12);
  });

  it('matches a hand computation with mixed clusters', () => {
    // classes [0,0,0,1,1,1], clusters [0,0,1,1,2,2]: H(C) = ln2, H(K) = ln3.
    // Cells: (c0,k0)=2, (c0,k1)=1, (c1,k1)=1, (c1,k2)=2.
    // I = 2·(2/6)·ln(6·2/(3·2)) + 2·(1/6)·ln(6·1/(3·2)) = (2/3)·ln2.
    // h = 2/3, c = (2/3)·ln2/ln3 = 0.42062, V = 2hc/(h+c) = 0.5158037
    const r = homogeneityCompletenessV([0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 2, 2]);
    expect(r.homogeneity).toBeCloseTo(2 / 3, 12);
    expect(r.completeness).toBeCloseTo(((2 / 3) * Math.LN2) / Math.log(3), 12);
    expect(r.vMeasure).toBeCloseTo(0.5158037429793888, 12);
  });

  it('takes string labels, Int32Array predictions, and counts noise (−1) as a cluster', () => {
    expect(homogeneity(['a', 'a', 'b', 'b'], Int32Array.from([1, 1, 0, 0]))).toBeCloseTo(1, 12);
    // Noise as its own cluster, like scikit-learn: same as [0,0,1,2] → V = 0.8.
    expect(vMeasure(['x', 'x', 'y', 'y'], Int32Array.from([0, 0, 1, -1]))).toBeCloseTo(0.8, 12);
    // The string '1' and the number 1 are different labels.
    expect(homogeneity(['1', 1, '1', 1], [0, 0, 0, 0])).toBeCloseTo(0, 12);
  });

  it('handles empty input as scikit-learn (1, 1, 1) and rejects mismatched lengths', () => {
    expect(homogeneityCompletenessV([], [])).toEqual({ homogeneity: 1, completeness: 1, vMeasure: 1 });
    expect(() => vMeasure([0, 1], [0])).toThrow(RangeError);
  });
});
