/**
 * Cluster explanations (DESIGN §2.6): c-TF-IDF keywords as in BERTopic, the members nearest each
 * centroid, and cohesion. These give every cluster an interim name before (or without) an LLM.
 */
import { contentTokens } from './text/tokenize';
import type { ClusterSummary, ClusteringResult, Matrix } from './types';

/** A bigram counts as a keyword candidate only when it occurs at least this often in the corpus. */
const MIN_BIGRAM_COUNT = 2;

/**
 * Top keywords per cluster by class-based TF-IDF (Grootendorst 2022): all documents of a cluster
 * form one document; score(t, c) = tf(t, c) · log(1 + A / f(t)), tf normalised to sum 1 per
 * cluster, A the mean number of terms per non-empty cluster, f(t) the term's count over all
 * clusters. Terms are content-word unigrams and adjacent content-word bigrams (a bigram kept only
 * if it occurs at least twice). A unigram inside a chosen bigram is not listed again. Rows with an
 * assignment outside 0..k−1 (noise) are ignored.
 */
export function clusterKeywords(texts: string[], assignments: Int32Array, k: number, topN = 8): string[][] {
  if (texts.length !== assignments.length) throw new RangeError(`texts (${texts.length}) and assignments (${assignments.length}) differ in length`);
  // Terms get dense ids; a bigram is keyed by its two unigram ids (a number, no string built per
  // occurrence), and its text is only assembled for the terms that are scored.
  const unigramId = new Map<string, number>();
  const bigramId = new Map<number, number>();
  const terms: (string | [number, number])[] = [];
  const isBigram: boolean[] = [];
  const perCluster: Map<number, number>[] = Array.from({ length: k }, () => new Map<number, number>());
  const totalCount: number[] = [];
  const newTerm = (term: string | [number, number]): number => {
    terms.push(term);
    isBigram.push(typeof term !== 'string');
    totalCount.push(0);
    return terms.length - 1;
  };
  const bump = (c: number, id: number): void => {
    const counts = perCluster[c];
    counts.set(id, (counts.get(id) ?? 0) + 1);
    totalCount[id]++;
  };
  const PAIR = 2 ** 26;
  for (let i = 0; i < texts.length; i++) {
    const c = assignments[i];
    if (c < 0 || c >= k) continue;
    const toks = contentTokens(texts[i]);
    let prev = -1;
    for (let t = 0; t < toks.length; t++) {
      let id = unigramId.get(toks[t]);
      if (id === undefined) {
        id = newTerm(toks[t]);
        unigramId.set(toks[t], id);
      }
      bump(c, id);
      if (prev >= 0) {
        const key = prev * PAIR + id;
        let bid = bigramId.get(key);
        if (bid === undefined) {
          bid = newTerm([prev, id]);
          bigramId.set(key, bid);
        }
        bump(c, bid);
      }
      prev = id;
    }
  }
  const text = (id: number): string => {
    const t = terms[id];
    return typeof t === 'string' ? t : `${terms[t[0]] as string} ${terms[t[1]] as string}`;
  };
  const kept = (id: number): boolean => !isBigram[id] || totalCount[id] >= MIN_BIGRAM_COUNT;

  // A: mean number of (kept) terms per non-empty cluster.
  const clusterTotals = perCluster.map((counts) => {
    let s = 0;
    for (const [id, n] of counts) if (kept(id)) s += n;
    return s;
  });
  const nonEmpty = clusterTotals.filter((s) => s > 0);
  const avg = nonEmpty.length > 0 ? nonEmpty.reduce((a, b) => a + b, 0) / nonEmpty.length : 0;

  return perCluster.map((counts, c) => {
    const total = clusterTotals[c];
    if (total === 0) return [];
    const scored: { id: number; score: number; count: number }[] = [];
    for (const [id, n] of counts) {
      if (!kept(id)) continue;
      scored.push({ id, score: (n / total) * Math.log(1 + avg / totalCount[id]), count: n });
    }
    // Deterministic order: score, then raw count, then the term itself.
    // Only the head of the ranking can be picked: sort that by text for ties, not every term.
    scored.sort((a, b) => b.score - a.score || b.count - a.count);
    const head = scored.slice(0, Math.max(topN * 4, 32)).map((s) => ({ ...s, term: text(s.id) }));
    head.sort((a, b) => b.score - a.score || b.count - a.count || (a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
    return pickKeywords(head.map((s) => s.term), topN);
  });
}

/**
 * Walks terms best first. A unigram already inside a chosen bigram is skipped; a bigram takes the
 * place of the first chosen unigram it contains (and drops the other), so no word is listed twice.
 */
function pickKeywords(ranked: string[], topN: number): string[] {
  const out: string[] = [];
  const inBigram = new Set<string>();
  for (const term of ranked) {
    if (out.length >= topN) break;
    const space = term.indexOf(' ');
    if (space < 0) {
      if (!inBigram.has(term)) out.push(term);
      continue;
    }
    const a = term.slice(0, space);
    const b = term.slice(space + 1);
    inBigram.add(a);
    inBigram.add(b);
    const ia = out.indexOf(a);
    const ib = out.indexOf(b);
    if (ia < 0 && ib < 0) {
      out.push(term);
    } else {
      const first = ia < 0 ? ib : ib < 0 ? ia : Math.min(ia, ib);
      out[first] = term;
      const other = first === ia ? ib : ia;
      if (other >= 0 && other !== first) out.splice(other, 1);
    }
  }
  return out;
}

/** Cosine similarity of row i of m to centroid c; 0 when either vector is zero. */
function cosineToCentroid(m: Matrix, i: number, centroids: Matrix, c: number, centroidNorm: number): number {
  const d = m.cols;
  const x = m.data;
  const cd = centroids.data;
  const a = i * d;
  const b = c * d;
  let s = 0;
  let nn = 0;
  for (let j = 0; j < d; j++) {
    const v = x[a + j];
    s += v * cd[b + j];
    nn += v * v;
  }
  return nn > 0 && centroidNorm > 0 ? s / Math.sqrt(nn * centroidNorm) : 0;
}

function centroidSquaredNorms(centroids: Matrix): Float64Array {
  const out = new Float64Array(centroids.rows);
  const { data, cols } = centroids;
  for (let c = 0; c < centroids.rows; c++) {
    let s = 0;
    for (let j = 0; j < cols; j++) s += data[c * cols + j] * data[c * cols + j];
    out[c] = s;
  }
  return out;
}

function checkShapes(m: Matrix, assignments: Int32Array, centroids: Matrix): void {
  if (assignments.length !== m.rows) throw new RangeError(`assignments (${assignments.length}) and rows (${m.rows}) differ in length`);
  if (centroids.cols !== m.cols) throw new RangeError(`centroids have ${centroids.cols} columns, vectors ${m.cols}`);
}

/**
 * For each centroid, the indices of its members nearest to it by cosine, nearest first (ties by
 * index). With texts, a text identical to an earlier pick is skipped so duplicates don't crowd out
 * other examples.
 */
export function representatives(m: Matrix, assignments: Int32Array, centroids: Matrix, topN = 5, texts?: readonly string[]): number[][] {
  checkShapes(m, assignments, centroids);
  const k = centroids.rows;
  const norms = centroidSquaredNorms(centroids);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < assignments.length; i++) {
    const c = assignments[i];
    if (c >= 0 && c < k) members[c].push(i);
  }
  const sims = new Float64Array(m.rows); // shared: each cluster writes only its own members
  return members.map((idx, c) => {
    for (const i of idx) sims[i] = cosineToCentroid(m, i, centroids, c, norms[c]);
    idx.sort((a, b) => sims[b] - sims[a] || a - b);
    const out: number[] = [];
    const seen = new Set<string>();
    for (const i of idx) {
      if (out.length >= topN) break;
      if (texts) {
        if (seen.has(texts[i])) continue;
        seen.add(texts[i]);
      }
      out.push(i);
    }
    return out;
  });
}

/** Mean cosine similarity of each cluster's members to its centroid (0 for an empty cluster). */
export function cohesion(m: Matrix, assignments: Int32Array, centroids: Matrix): Float64Array {
  checkShapes(m, assignments, centroids);
  const k = centroids.rows;
  const norms = centroidSquaredNorms(centroids);
  const sum = new Float64Array(k);
  const count = new Int32Array(k);
  for (let i = 0; i < assignments.length; i++) {
    const c = assignments[i];
    if (c < 0 || c >= k) continue;
    sum[c] += cosineToCentroid(m, i, centroids, c, norms[c]);
    count[c]++;
  }
  for (let c = 0; c < k; c++) sum[c] = count[c] > 0 ? sum[c] / count[c] : 0;
  return sum;
}

export interface SummarizeOptions {
  /** Keywords per cluster (default 8). */
  keywords?: number;
  /** Representatives per cluster (default 5). */
  representatives?: number;
}

/** One summary per cluster 0..k−1: size, keywords, representatives, cohesion and a keyword name. */
export function summarizeClusters(texts: string[], m: Matrix, result: ClusteringResult, opts: SummarizeOptions = {}): ClusterSummary[] {
  if (texts.length !== m.rows) throw new RangeError(`texts (${texts.length}) and rows (${m.rows}) differ in length`);
  const { k, assignments, centroids } = result;
  const keywords = clusterKeywords(texts, assignments, k, opts.keywords ?? 8);
  const reps = representatives(m, assignments, centroids, opts.representatives ?? 5, texts);
  const coh = cohesion(m, assignments, centroids);
  const sizes = new Int32Array(k);
  for (let i = 0; i < assignments.length; i++) if (assignments[i] >= 0 && assignments[i] < k) sizes[assignments[i]]++;
  const out: ClusterSummary[] = [];
  for (let c = 0; c < k; c++) {
    const kw = keywords[c];
    out.push({
      id: c,
      size: sizes[c],
      keywords: kw,
      representatives: sizes[c] > 0 ? (reps[c] ?? []) : [],
      cohesion: coh[c] ?? 0,
      name: kw.length > 0 ? kw.slice(0, 3).join(', ') : `cluster ${c}`,
    });
  }
  return out;
}
