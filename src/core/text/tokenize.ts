/**
 * Word tokenizer shared by keywords (c-TF-IDF), TF-IDF/LSA and word-vector embedders, so that all
 * of them see the same words. Lower-cases, keeps letters/digits with inner apostrophes and hyphens.
 * CJK scripts have no spaces: each run of CJK characters becomes character bigrams.
 */

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’\-_][\p{L}\p{M}\p{N}]+)*/gu;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

export function tokenize(text: string): string[] {
  const out: string[] = [];
  const lower = text.toLowerCase();
  for (const m of lower.matchAll(WORD)) {
    const w = m[0].replace(/’/g, "'");
    if (CJK.test(w)) {
      const chars = Array.from(w);
      if (chars.length === 1) out.push(w);
      for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i] + chars[i + 1]);
    } else {
      out.push(w);
    }
  }
  return out;
}

/** English stop words (a compact list in the spirit of scikit-learn's). */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    "a about above after again against all almost also although always am among an and another any anyone anything are aren't around as at " +
    "be became because become been before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't done down during " +
    "each either else enough even ever every few for from further get gets getting got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how how's however " +
    "i i'd i'll i'm i've ie if in into is isn't it it's its itself just let's like made make many may me might more most much must mustn't my myself " +
    "neither never no nor not now of off often on once one only or other others ought our ours ourselves out over own per perhaps please put quite rather re really " +
    "said same say says see seem seems several shall shan't she she'd she'll she's should shouldn't since so some something still such than that that's the their theirs them themselves then there there's these they they'd they'll they're they've this those though through thus to too " +
    "under until up upon us use used using very via was wasn't we we'd we'll we're we've well were weren't what what's whatever when when's where where's whether which while who who's whom whose why why's will with within without won't would wouldn't " +
    "yet you you'd you'll you're you've your yours yourself yourselves s t d ll m ve"
  ).split(' '),
);

/** Tokens minus stop words, pure numbers and 1-character Latin tokens. */
export function contentTokens(text: string): string[] {
  return tokenize(text).filter((w) => !STOP_WORDS.has(w) && !/^\p{N}+$/u.test(w) && (w.length > 1 || CJK.test(w)));
}
