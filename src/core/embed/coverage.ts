/**
 * What an embedder could not do for some texts, said in words for the page: texts it gave no
 * vector (zero rows: the built-in word vectors know none of their words — another language,
 * codes, emoji only), and texts longer than a model's token limit, which it read only in part.
 */
import { estimateTokens } from '../llm/engine';
import type { Matrix } from '../types';

/** Rows that are all zeros. */
export function zeroRows(m: Matrix): number[] {
  const out: number[] = [];
  for (let i = 0; i < m.rows; i++) {
    let any = false;
    for (let j = i * m.cols, end = j + m.cols; j < end; j++) {
      if (m.data[j] !== 0) {
        any = true;
        break;
      }
    }
    if (!any) out.push(i);
  }
  return out;
}

/** Texts whose estimated tokens exceed `maxTokens` (the model reads only their first maxTokens). */
export function overLimit(texts: readonly string[], maxTokens: number): number[] {
  const out: number[] = [];
  texts.forEach((t, i) => {
    // A token spans at least a character, so shorter texts cannot be over: skip the estimate.
    if (t.length > maxTokens && estimateTokens(t) > maxTokens) out.push(i);
  });
  return out;
}

export function coverageWarnings(texts: readonly string[], vectors: Matrix, embedderId: string, maxTokens?: number): string[] {
  const warnings: string[] = [];
  const zero = zeroRows(vectors);
  if (zero.length > 0) {
    const what = embedderId === 'glove-sif' ? 'have no word the built-in English word vectors know (another language, codes or symbols only)' : 'got no vector from the embedder';
    warnings.push(
      `${count(zero.length)} of ${count(texts.length)} texts ${what}; they sit together at the centre of the map${zero.length === 1 ? '' : ' and tend to share a cluster'}.` +
        (embedderId === 'glove-sif' ? ' TF-IDF or a multilingual sentence model suits such texts better.' : ''),
    );
  }
  if (maxTokens !== undefined && maxTokens > 0) {
    const long = overLimit(texts, maxTokens);
    if (long.length > 0) {
      const longest = Math.max(...long.map((i) => texts[i].length));
      warnings.push(
        `About ${count(long.length)} text${long.length === 1 ? ' is' : 's are'} longer than the model's ${maxTokens}-token limit (the longest has ${count(longest)} characters): the model read only their beginning. The whole texts are kept and shown.`,
      );
    }
  }
  return warnings;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
