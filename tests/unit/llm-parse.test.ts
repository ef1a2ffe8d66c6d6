import { describe, expect, it } from 'vitest';
import { canonicalId, cleanTitle, parseNamingAnswer } from '../../src/core/llm/parse';

/**
 * Answers the way small local models actually fail at "reply with one JSON object keyed by cluster
 * id". Expected titles/descriptions were written by hand from each answer.
 */
interface Fixture {
  name: string;
  ids: string[];
  answer: string;
  /** id → [title, description] (description omitted: not checked). */
  names: Record<string, [string, string?]>;
  missing?: string[];
  extra?: string[];
  /** Each pattern must match some repair note. */
  notes?: RegExp[];
}

const FIXTURES: Fixture[] = [
  {
    name: 'clean JSON (baseline: no repairs)',
    ids: ['3', '7'],
    answer: '{"3": {"title": "Card Payment Problems", "description": "Customers whose card payments failed."}, "7": {"title": "Top-up Limits", "description": "Questions about top-up limits."}}',
    names: { '3': ['Card Payment Problems', 'Customers whose card payments failed.'], '7': ['Top-up Limits', 'Questions about top-up limits.'] },
  },
  {
    name: 'markdown json fence',
    ids: ['3', '7'],
    answer: '```json\n{\n  "3": { "title": "Card Payment Problems", "description": "Failed card payments." },\n  "7": { "title": "Top-up Limits", "description": "Limits on top-ups." }\n}\n```',
    names: { '3': ['Card Payment Problems', 'Failed card payments.'], '7': ['Top-up Limits', 'Limits on top-ups.'] },
    notes: [/code fence/],
  },
  {
    name: 'chatty prose before and after a fence',
    ids: ['0', '1'],
    answer:
      'Sure! Here are the titles and descriptions for the clusters:\n\n```json\n{"0": {"title": "Lost or Stolen Cards", "description": "Reports of lost cards."}, "1": {"title": "Exchange Rates", "description": "Currency conversion questions."}}\n```\n\nLet me know if you need anything else!',
    names: { '0': ['Lost or Stolen Cards', 'Reports of lost cards.'], '1': ['Exchange Rates', 'Currency conversion questions.'] },
    notes: [/code fence/, /text around the JSON/],
  },
  {
    name: 'prose around bare JSON, no fence',
    ids: ['0'],
    answer: 'Here is the JSON output: {"0": {"title": "Refund Requests", "description": "Customers asking for refunds."}} I hope this helps.',
    names: { '0': ['Refund Requests', 'Customers asking for refunds.'] },
    notes: [/text around the JSON/],
  },
  {
    name: 'trailing commas',
    ids: ['1', '2'],
    answer: '{\n  "1": {"title": "PIN Problems", "description": "Blocked or forgotten PINs.",},\n  "2": {"title": "Card Delivery", "description": "Where is my card?",},\n}',
    names: { '1': ['PIN Problems', 'Blocked or forgotten PINs.'], '2': ['Card Delivery', 'Where is my card?'] },
    notes: [/leniently/],
  },
  {
    name: 'Python dict: single quotes, apostrophes inside, None',
    ids: ['1', '2'],
    answer: "{'1': {'title': 'Customer's Declined Cards', 'description': 'Cards that didn't work.'}, '2': {'title': 'Fees', 'description': None}}",
    names: { '1': ["Customer's Declined Cards", "Cards that didn't work."], '2': ['Fees', ''] },
  },
  {
    name: 'unquoted keys and numeric ids (JS object literal)',
    ids: ['4', '5'],
    answer: '{4: {title: "Apple Pay Setup", description: "Adding the card to Apple Pay."}, 5: {title: "Virtual Cards", description: "Disposable virtual cards."}}',
    names: { '4': ['Apple Pay Setup', 'Adding the card to Apple Pay.'], '5': ['Virtual Cards', 'Disposable virtual cards.'] },
  },
  {
    name: 'smart quotes from a chat UI, with quoted words inside',
    ids: ['8'],
    answer: '{“8”: {“title”: “Pending Transfers”, “description”: “Transfers stuck as “pending” for days.”}}',
    names: { '8': ['Pending Transfers', 'Transfers stuck as “pending” for days.'] },
  },
  {
    name: 'array of {id, title, description} with numeric ids',
    ids: ['3', '4'],
    answer: '[{"id": 3, "title": "Cash Withdrawals", "description": "ATM withdrawals."}, {"id": 4, "title": "Wrong Amount", "description": "Charged the wrong amount."}]',
    names: { '3': ['Cash Withdrawals', 'ATM withdrawals.'], '4': ['Wrong Amount', 'Charged the wrong amount.'] },
  },
  {
    name: 'wrapper object {"clusters": {...}}',
    ids: ['10', '11'],
    answer: '{"clusters": {"10": {"title": "Account Verification", "description": "Identity checks."}, "11": {"title": "Age Limits", "description": "Minimum age questions."}}}',
    names: { '10': ['Account Verification', 'Identity checks.'], '11': ['Age Limits', 'Minimum age questions.'] },
  },
  {
    name: 'wrapper with array, other field names (cluster_id / name / summary), "cluster N" ids',
    ids: ['3', '4'],
    answer: '{"results": [{"cluster_id": "cluster 3", "name": "Disputed Charges", "summary": "Unrecognised card charges."}, {"cluster_id": "Cluster_4", "name": "Card Expiry", "summary": "Expiring cards."}]}',
    names: { '3': ['Disputed Charges', 'Unrecognised card charges.'], '4': ['Card Expiry', 'Expiring cards.'] },
    notes: [/id "cluster 3" read as "3"/, /id "Cluster_4" read as "4"/],
  },
  {
    name: 'ids rewritten as "cluster_3", "Cluster 12", "#5"',
    ids: ['3', '12', '5'],
    answer: '{"cluster_3": {"title": "Transfer Fees", "description": "Fees on transfers."}, "Cluster 12": {"title": "Beneficiaries", "description": "Adding payees."}, "#5": {"title": "Card Linking", "description": "Linking cards."}}',
    names: { '3': ['Transfer Fees'], '12': ['Beneficiaries'], '5': ['Card Linking'] },
  },
  {
    name: 'cut off mid-description (max tokens reached)',
    ids: ['1', '2', '3'],
    answer: '{\n  "1": {"title": "Card Arrival", "description": "When will my card arrive?"},\n  "2": {"title": "Activate Card", "description": "How to activate a new card."},\n  "3": {"title": "Change PIN", "description": "Customers who want to chan',
    names: { '1': ['Card Arrival', 'When will my card arrive?'], '2': ['Activate Card', 'How to activate a new card.'] },
    missing: ['3'],
    notes: [/cut off: kept 2 complete entries, dropped 1 incomplete/],
  },
  {
    name: 'opened fence never closed, cut after a complete entry',
    ids: ['1', '2'],
    answer: '```json\n{\n  "1": {"title": "Savings Interest", "description": "Interest on savings."},\n  "2": {"ti',
    names: { '1': ['Savings Interest', 'Interest on savings.'] },
    missing: ['2'],
    notes: [/cut off/],
  },
  {
    name: 'a hallucinated extra id and a forgotten one',
    ids: ['1', '2', '3'],
    answer: '{"1": {"title": "Direct Debits", "description": "Direct debit setup."}, "3": {"title": "Standing Orders", "description": "Recurring payments."}, "4": {"title": "Other", "description": "Misc."}}',
    names: { '1': ['Direct Debits'], '3': ['Standing Orders'] },
    missing: ['2'],
    extra: ['4'],
  },
  {
    name: 'title far over 7 words (trimmed at a word, dangling "and" dropped)',
    ids: ['6'],
    // Card(1) Payments(2) Declined(3) at(4) Shops,(5) Online(6) and(7) Abroad(8) Again(9):
    // the first 7 words end on "and", which is dropped → 6 words.
    answer: '{"6": {"title": "Card Payments Declined at Shops, Online and Abroad Again", "description": "Declined payments."}}',
    names: { '6': ['Card Payments Declined at Shops, Online', 'Declined payments.'] },
    notes: [/title of "6" cut from 9 to 6 words/],
  },
  {
    name: 'empty title counts as missing',
    ids: ['1', '2'],
    answer: '{"1": {"title": "", "description": "Something about cards."}, "2": {"title": "Card Fees", "description": "Fees."}}',
    names: { '2': ['Card Fees', 'Fees.'] },
    missing: ['1'],
    notes: [/empty title for "1"/],
  },
  {
    name: 'HTML in a title is kept as text; whitespace and newlines trimmed',
    ids: ['9'],
    answer: '{"9": {"title": "  <b>Crypto</b>\\n Purchases <script>x</script> ", "description": "  Buying\\n\\ncrypto.  "}}',
    names: { '9': ['<b>Crypto</b> Purchases <script>x</script>', 'Buying crypto.'] },
  },
  {
    name: 'one JSON object per line instead of one object',
    ids: ['1', '2'],
    answer: '{"1": {"title": "Lost Cards", "description": "Lost cards."}}\n{"2": {"title": "Stolen Phones", "description": "Phone stolen."}}',
    names: { '1': ['Lost Cards'], '2': ['Stolen Phones'] },
  },
  {
    name: 'no JSON at all: "Cluster N: Title - description" lines',
    ids: ['1', '2'],
    answer: 'Cluster 1: Card Payments - Problems paying by card.\nCluster 2: Top-ups — Adding money to the account.',
    names: { '1': ['Card Payments', 'Problems paying by card.'], '2': ['Top-ups', 'Adding money to the account.'] },
    notes: [/no JSON found/],
  },
  {
    name: 'markdown blocks with Title:/Description: lines',
    ids: ['1', '2'],
    answer: '**Cluster 1**\nTitle: Refund Status\nDescription: Where is my refund?\n\n**Cluster 2**\nTitle: Transfer Limits\nDescription: Limits on transfers.',
    names: { '1': ['Refund Status', 'Where is my refund?'], '2': ['Transfer Limits', 'Limits on transfers.'] },
  },
  {
    name: 'missing commas between members',
    ids: ['1', '2'],
    answer: '{\n  "1": {\n    "title": "Card Freeze"\n    "description": "Freezing a card."\n  }\n  "2": {\n    "title": "Unfreeze"\n    "description": "Unfreezing."\n  }\n}',
    names: { '1': ['Card Freeze', 'Freezing a card.'], '2': ['Unfreeze', 'Unfreezing.'] },
  },
  {
    name: 'values are plain strings "Title - description" / "Title: description"',
    ids: ['3', '4'],
    answer: '{"3": "Card Payments - Problems paying by card.", "4": "Top-ups: Adding money to the account."}',
    names: { '3': ['Card Payments', 'Problems paying by card.'], '4': ['Top-ups', 'Adding money to the account.'] },
  },
  {
    name: 'single cluster answered without its id',
    ids: ['42'],
    answer: '{"title": "Contactless Payments", "description": "Tap-to-pay questions."}',
    names: { '42': ['Contactless Payments', 'Tap-to-pay questions.'] },
    notes: [/by position/],
  },
  {
    name: 'ids renumbered 1..n by the model (counts agree → by position)',
    ids: ['12', '40'],
    answer: '{"1": {"title": "ATM Fees", "description": "Fees at ATMs."}, "2": {"title": "Card Swallowed", "description": "ATM kept the card."}}',
    names: { '12': ['ATM Fees'], '40': ['Card Swallowed'] },
    notes: [/by position/],
  },
  {
    name: 'JS comments inside the JSON',
    ids: ['1', '2'],
    answer: '{\n  // first cluster\n  "1": {"title": "Google Pay", "description": "Google Pay setup."},\n  /* second */ "2": {"title": "Phone Top-ups", "description": "Mobile top-ups."}\n}',
    names: { '1': ['Google Pay'], '2': ['Phone Top-ups'] },
  },
  {
    name: 'unescaped double quotes inside a description',
    ids: ['5'],
    answer: '{"5": {"title": "Pending Payments", "description": "Payments shown as "pending" in the app."}}',
    names: { '5': ['Pending Payments', 'Payments shown as "pending" in the app.'] },
  },
  {
    name: 'reasoning model: <think> with a draft, then the answer',
    ids: ['1'],
    answer: '<think>The samples are about exchange rates. Draft: {"1": {"title": "Money", "description": "x"}} is too vague.</think>\n{"1": {"title": "Exchange Rate Questions", "description": "Questions about rates."}}',
    names: { '1': ['Exchange Rate Questions', 'Questions about rates.'] },
    notes: [/think/],
  },
  {
    name: 'markdown bold and "Title:" inside titles, capitalised keys',
    ids: ['1', '2'],
    answer: '{"1": {"Title": "**Card Not Working**", "Description": "Cards that stopped working."}, "2": {"TITLE": "Title: Cash Deposits", "DESCRIPTION": "Depositing cash."}}',
    names: { '1': ['Card Not Working', 'Cards that stopped working.'], '2': ['Cash Deposits', 'Depositing cash.'] },
    notes: [/wrapping quotes\/markdown/, /"Title:" prefix/],
  },
  {
    name: 'id repeated inside titles ("Cluster 1: …"), values as [title, description] pairs',
    ids: ['1', '2'],
    answer: '{"1": {"title": "Cluster 1: Savings Pots", "description": "Saving goals."}, "2": ["Topic Modelling: Basics", "Intro questions."]}',
    names: { '1': ['Savings Pots', 'Saving goals.'], '2': ['Topic Modelling: Basics', 'Intro questions.'] },
    notes: [/"Cluster N:" prefix/],
  },
  {
    name: 'an extra wrapper level under each id',
    ids: ['1'],
    answer: '{"1": {"cluster": {"title": "Card Limits", "description": "Spending limits."}}}',
    names: { '1': ['Card Limits', 'Spending limits.'] },
  },
  {
    name: 'duplicate entries for one id: the first wins',
    ids: ['1'],
    answer: '[{"id": "1", "title": "First Name", "description": "a"}, {"id": "1", "title": "Second Name", "description": "b"}]',
    names: { '1': ['First Name', 'a'] },
    notes: [/duplicate entry for "1"/],
  },
  {
    name: 'refusal / no content: everything missing',
    ids: ['1', '2'],
    answer: "I'm sorry, but I can't help with categorising these texts.",
    names: {},
    missing: ['1', '2'],
  },
  {
    name: 'empty answer',
    ids: ['1'],
    answer: '',
    names: {},
    missing: ['1'],
  },
];

describe('parseNamingAnswer: malformed-answer collection', () => {
  it('holds at least 20 malformed answers', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(20 + 1);
  });

  for (const f of FIXTURES) {
    it(f.name, () => {
      const r = parseNamingAnswer(f.answer, f.ids);
      const got: Record<string, string> = {};
      for (const [id, n] of r.names) got[id] = n.title;
      const want: Record<string, string> = {};
      for (const [id, [t]] of Object.entries(f.names)) want[id] = t;
      expect(got).toEqual(want);
      for (const [id, [, d]] of Object.entries(f.names)) {
        if (d !== undefined) expect(r.names.get(id)?.description).toBe(d);
      }
      expect(r.missing).toEqual(f.missing ?? []);
      expect(r.extra).toEqual(f.extra ?? []);
      for (const re of f.notes ?? []) expect(r.repaired.some((n) => re.test(n)), `${re} in ${JSON.stringify(r.repaired)}`).toBe(true);
    });
  }

  it('a clean answer needs no repair notes', () => {
    expect(parseNamingAnswer(FIXTURES[0].answer, FIXTURES[0].ids).repaired).toEqual([]);
  });
});

describe('ids and titles', () => {
  it('canonicalId joins the usual spellings of one id', () => {
    for (const s of ['3', ' 3 ', 'cluster 3', 'Cluster_3', 'CLUSTER-03', '#3', 'c3', 'Topic 3', 'id: 3', 'cluster #3']) {
      expect(canonicalId(s), s).toBe('3');
    }
    expect(canonicalId('c12')).toBe('12');
    expect(canonicalId('alpha')).toBe('alpha');
    expect(canonicalId('cluster 3')).not.toBe(canonicalId('cluster 13'));
  });

  it('does not guess between two expected ids with the same canonical form', () => {
    const r = parseNamingAnswer('{"cluster 3": {"title": "X", "description": "y"}}', ['3', 'c3']);
    expect(r.names.size).toBe(0);
    expect(r.extra).toEqual(['cluster 3']);
  });

  it('exact ids still match when canonical forms collide', () => {
    const r = parseNamingAnswer('{"c3": {"title": "X", "description": "y"}, "3": {"title": "Z", "description": "w"}}', ['3', 'c3']);
    expect(r.names.get('c3')?.title).toBe('X');
    expect(r.names.get('3')?.title).toBe('Z');
  });

  it('cleanTitle keeps ≤ 7 words untouched and cuts longer ones', () => {
    const notes: string[] = [];
    expect(cleanTitle('One two three four five six seven', '1', notes)).toBe('One two three four five six seven');
    expect(notes).toEqual([]);
    expect(cleanTitle('One two three four five six of eight nine', '1', notes)).toBe('One two three four five six');
    expect(notes).toEqual(['title of "1" cut from 9 to 6 words']);
  });

  it('positional assignment needs equal counts', () => {
    const r = parseNamingAnswer('{"1": {"title": "A", "description": "a"}}', ['12', '40']);
    expect(r.names.size).toBe(0);
    expect(r.missing).toEqual(['12', '40']);
    expect(r.extra).toEqual(['1']);
  });

  it('very long descriptions are cut to 600 characters', () => {
    const long = 'word '.repeat(400).trim();
    const r = parseNamingAnswer(JSON.stringify({ '1': { title: 'T', description: long } }), ['1']);
    const d = r.names.get('1')?.description ?? '';
    expect(d.length).toBeLessThanOrEqual(600);
    expect(d.endsWith('…')).toBe(true);
    expect(r.repaired).toContain('description of "1" cut to 600 characters');
  });

  it('every prefix of a clean answer names only complete entries, never a cut title or description', () => {
    const full = {
      '1': { title: 'Card Payment Problems', description: 'Customers whose card payments failed.' },
      '2': { title: 'Top-up Limits', description: 'Questions about limits.' },
      '3': { title: 'Exchange Rates', description: 'Currency conversion.' },
    };
    for (const text of [JSON.stringify(full), JSON.stringify(full, null, 2)]) {
      let prev = 0;
      for (let cut = 0; cut <= text.length; cut++) {
        const r = parseNamingAnswer(text.slice(0, cut), ['1', '2', '3']);
        for (const [id, n] of r.names) expect(n).toEqual(full[id as '1' | '2' | '3']);
        expect(r.names.size).toBeGreaterThanOrEqual(prev); // more text never loses a name
        prev = r.names.size;
      }
      expect(prev).toBe(3);
    }
  });

  it('never throws and never invents ids, on every prefix of every fixture', () => {
    for (const f of FIXTURES) {
      for (let cut = 0; cut <= f.answer.length; cut += 3) {
        const r = parseNamingAnswer(f.answer.slice(0, cut), f.ids);
        for (const id of r.names.keys()) expect(f.ids).toContain(id);
        expect(r.missing.length + r.names.size).toBe(f.ids.length);
      }
    }
  });
});
