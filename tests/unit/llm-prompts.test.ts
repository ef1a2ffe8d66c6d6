import { describe, expect, it } from 'vitest';
import { estimateMessagesTokens, estimateTokens } from '../../src/core/llm/engine';
import { buildNamingPrompt, DEFAULT_BUDGET, idsInPrompt, pickSamples, truncateText, type ClusterForNaming } from '../../src/core/llm/prompts';

const userText = (clusters: ClusterForNaming[], opts = {}, scale = 1): string => buildNamingPrompt(clusters, opts, scale).messages[1].content;

const cards: ClusterForNaming = {
  id: '3',
  size: 120,
  level: 1,
  samples: ['My card payment was declined at the shop.', 'Why was my card\n\ndeclined   online?'],
  keywords: ['declined', 'card', 'payment'],
};
const topup: ClusterForNaming = {
  id: '7',
  size: 45,
  level: 1,
  samples: ['How do I top up by bank transfer?'],
  keywords: ['top', 'transfer'],
};

describe('buildNamingPrompt (HERCULES appendix A)', () => {
  it('keeps the appendix wording and rules', () => {
    const p = buildNamingPrompt([cards, topup]);
    expect(p.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const u = p.messages[1].content;
    expect(u).toContain("Generate a concise 'title' (max 5-7 words) and 'description' (1-2 sentences) for EACH of the Clusters below (Level 1).");
    expect(u).toContain('RESPONSE FORMAT: Respond ONLY with a single, valid JSON object.');
    expect(u).toContain(`- Top-level keys MUST be the string representation of the 'Cluster ID' provided (e.g., "cluster_123").`);
    expect(u).toContain('- Values MUST be JSON objects containing non-empty "title" and "description" string keys.');
    expect(u).toContain('  "id_A": { "title": "Title A", "description": "Desc A." },');
    expect(u).toContain('IMPORTANT: Ensure the entire output is valid JSON. Do NOT include markdown fences');
    expect(u).toContain('--- Clusters Information ---');
    expect(u).toContain('--- End Clusters Information ---');
    expect(u.trimEnd().endsWith('Generate the JSON output for the 2 Cluster ID(s): "3", "7"')).toBe(true);
    expect(p.ids).toEqual(['3', '7']);
  });

  it('holds each cluster block with size, keywords and samples (whitespace collapsed)', () => {
    const u = userText([cards, topup]);
    expect(u).toContain('--- Cluster ID: 3 (L1, 120 base items, BaseType: text) ---');
    expect(u).toContain('Keywords: declined, card, payment');
    expect(u).toContain('Representative Content/Samples (from L0 Descendants):\n- "My card payment was declined at the shop."\n- "Why was my card declined online?"');
    expect(u).toContain('--- End Cluster ID: 3 ---');
    expect(u).toContain('--- Cluster ID: 7 (L1, 45 base items, BaseType: text) ---');
    expect(u).toContain('- "How do I top up by bank transfer?"');
    // Block of 3 comes before block of 7, as given.
    expect(u.indexOf('Cluster ID: 3 (')).toBeLessThan(u.indexOf('Cluster ID: 7 ('));
  });

  it('adds the topic seed only when given', () => {
    expect(userText([cards], { topicSeed: 'banking support' })).toContain("CONTEXT FOCUS: Orient towards 'banking support', if relevant.");
    expect(userText([cards])).not.toContain('CONTEXT FOCUS');
    expect(userText([cards], { topicSeed: '   ' })).not.toContain('CONTEXT FOCUS');
  });

  it('recursive variant: parent title and description as context, with the hierarchy rule', () => {
    const sub: ClusterForNaming = { ...cards, id: 'a.1', level: 2, parent: { title: 'Card Problems', description: 'Everything that goes wrong with cards.' } };
    const u = userText([sub]);
    expect(u).toContain('Parent Cluster: "Card Problems" - Everything that goes wrong with cards.');
    expect(u).toContain("HIERARCHY: A Cluster listed with a 'Parent Cluster' is a sub-cluster of it.");
    expect(userText([cards])).not.toContain('HIERARCHY');
  });

  it('child summaries for higher levels, at most 10 listed', () => {
    const children = Array.from({ length: 12 }, (_, i) => ({ title: `Child ${i}`, description: `About child ${i}.`, size: 100 - i }));
    const u = userText([{ id: 'p', size: 1000, level: 2, samples: [], keywords: [], children }]);
    expect(u).toContain('Representative Immediate Children (Summaries):\n- "Child 0" (100 items) - About child 0.');
    expect(u).toContain('- "Child 9" (91 items) - About child 9.');
    expect(u).not.toContain('Child 10');
    expect(u).toContain('- ... (2 more sub-clusters)');
    expect(u).not.toContain('Representative Content/Samples');
    expect(u).not.toContain('Keywords:');
  });

  it('numeric statistics in the HERCULES format', () => {
    const u = userText([{ ...cards, stats: [{ name: 'amount', unit: 'EUR', mean: 10.5, min: 2.1, max: 15.3, std: 3.2 }] }]);
    expect(u).toContain('Key Statistics (Original Scale):\n- amount (EUR): mean=10.5 (range: 2.1 to 15.3), std=3.2');
  });

  it('says no level when the batch mixes levels or has none', () => {
    expect(userText([cards, { ...topup, level: 2 }])).toContain('for EACH of the Clusters below.');
    const u = userText([{ ...cards, level: undefined }]);
    expect(u).toContain('--- Cluster ID: 3 (120 base items, BaseType: text) ---');
  });

  it('idsInPrompt reads back the ids, including odd ones', () => {
    const odd: ClusterForNaming = { ...topup, id: 'L2 (x), y' };
    expect(idsInPrompt(userText([cards, odd]))).toEqual(['3', 'L2 (x), y']);
  });
});

describe('sample budgets', () => {
  it('defaults: 300 characters per sample, 6000 per prompt, 10 samples per cluster', () => {
    expect(DEFAULT_BUDGET.sampleChars).toBe(300);
    expect(DEFAULT_BUDGET.promptSampleChars).toBe(6000);
    expect(DEFAULT_BUDGET.maxSamples).toBe(10);
  });

  it('truncateText cuts at a word boundary with an ellipsis', () => {
    expect(truncateText('short text', 300)).toBe('short text');
    expect(truncateText('  a\n b  ', 300)).toBe('a b');
    // 'abcd ' × 200: slice(0, 19) = 'abcd abcd abcd abcd', last space at 14 < 16 (80 %) → keep 19.
    expect(truncateText('abcd '.repeat(200), 20)).toBe('abcd abcd abcd abcd…');
    // slice(0, 29) ends 'abcd abcd…abcd' (words at 0,5,…,25); last space at 24 ≥ 24 → cut there.
    expect(truncateText('abcd '.repeat(200), 30)).toBe('abcd abcd abcd abcd abcd…');
  });

  it('8 clusters × 10 long samples: 750 characters per cluster, 3 samples each (hand-computed)', () => {
    // share = 6000 / 8 = 750. Sample 'abcd ' × 200 (999 chars after trim):
    //   1st room 300 → slice 299, last space at 294 → 294 + '…' = 295; used 295
    //   2nd room 300 → 295; used 590
    //   3rd room 160 → slice 159, last space at 154 → 155; used 745
    //   4th room 5 < 16 → stop.
    const long = 'abcd '.repeat(200);
    const clusters = Array.from({ length: 8 }, (_, i) => ({ id: String(i), size: 50, samples: Array(10).fill(long), keywords: ['k'] }));
    const picked = pickSamples(clusters[0].samples, 750, DEFAULT_BUDGET);
    expect(picked.map((s) => s.length)).toEqual([295, 295, 155]);
    const p = buildNamingPrompt(clusters);
    expect(p.sampleChars).toBe(8 * 745);
    expect(p.sampleChars).toBeLessThanOrEqual(DEFAULT_BUDGET.promptSampleChars);
    const sampleLines = p.messages[1].content.split('\n').filter((l) => l.startsWith('- "abcd'));
    expect(sampleLines.length).toBe(24);
    // Halving the scale halves the share: 375 → 295 + (room 80 → slice 79, space at 74 → 75) = 370.
    expect(buildNamingPrompt(clusters, {}, 0.5).sampleChars).toBe(8 * 370);
  });

  it('a single cluster gets at most 10 samples of at most 300 characters', () => {
    const s = 'x'.repeat(1000);
    const picked = pickSamples(Array(20).fill(s), 6000, DEFAULT_BUDGET);
    expect(picked.length).toBe(10);
    expect(picked.every((p) => p.length === 300 && p.endsWith('…'))).toBe(true);
  });

  it('budget overrides apply', () => {
    const p = buildNamingPrompt([{ ...cards, samples: ['a'.repeat(500)] }], { budget: { sampleChars: 50 } });
    expect(p.sampleChars).toBe(50);
  });
});

describe('estimateTokens', () => {
  it('≈ chars/4 for ASCII, 1 per CJK character, 1 per 2 other non-ASCII', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd'.repeat(100))).toBe(100);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('銀行カードが使えない')).toBe(10);
    expect(estimateTokens('éèàç')).toBe(2);
    expect(estimateMessagesTokens([{ role: 'user', content: 'abcd'.repeat(10) }, { role: 'system', content: '' }])).toBe(10 + 4 + 0 + 4);
  });
});
