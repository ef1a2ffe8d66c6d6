/**
 * Fast non-cryptographic 53-bit string hash (cyrb53), hex-encoded. Used as the text key of the
 * embedding cache and to fingerprint corpora; collisions at 2^-53 are negligible for that use.
 */
export function hashText(text: string, seed = 0): string {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const n = 4294967296 * (2097151 & h2) + (h1 >>> 0);
  return n.toString(16).padStart(14, '0');
}

/** Fingerprint of an ordered corpus: hash of the per-text hashes. */
export function hashCorpus(texts: readonly string[]): string {
  let acc = '';
  for (const t of texts) acc = hashText(acc + hashText(t));
  return acc || hashText('');
}
