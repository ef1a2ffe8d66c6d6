// A deterministic stand-in LLM for the LLM-in-the-loop methods (src/core/methods): answers the
// ClusterFusion prompts (propose topics from the sample's frequent word pairs, merge topic lists
// by shared names, assign each record by word overlap with the topics) and the pseudo-label
// prompts (a label from the target's words that its similar texts share; "yes" for candidate
// labels whose words the target holds). Plain ESM so the OpenAI-compatible test server, the CLI
// and browser tests can use it; returns null for prompts it does not recognise.
//
//   import { answerMethodPrompt, methodPromptKind } from '../support/method-answers.mjs';
//   const text = answerMethodPrompt(messages); // a string, or null for other prompts

/** The marker lines of the prompts: the same as METHOD_MARKERS in src/core/methods/common.ts (a unit test checks). */
export const METHOD_MARKERS = Object.freeze({
  propose: '### Task: propose topics (ClusterFusion)',
  merge: '### Task: merge topics (ClusterFusion)',
  assign: '### Task: assign topics (ClusterFusion)',
  label: '### Task: write labels (pseudo-labels)',
  pick: '### Task: pick labels (pseudo-labels)',
});

const STOP = new Set(
  (
    'a about above after again against all also am an and any are as at be been before being below between both but by can cannot could did do does doing done down during each even ever every few for from further get gets getting got had has have having he her here hers him his how however i if in into is it its itself just let like made make many may me might more most much must my myself need needs no nor not now of off often on once one only or other our ours out over own please put quite rather really said same say see seem several shall she should since so some still such than that the their theirs them then there these they this those though through thus to too under until up upon us use used using very via want wanted was we well were what when where whether which while who whom whose why will with within without would yet you your yours yourself ' +
    "i'm i've i'd i'll can't don't didn't doesn't isn't wasn't won't haven't hasn't it's that's there's what's ive im dont cant didnt doesnt isnt wont havent"
  ).split(' '),
);

/** Content words of a text: lower case, letters with inner apostrophes, ≥ 3 letters, no stop words. */
export function contentWords(text) {
  const out = [];
  for (const m of String(text).toLowerCase().matchAll(/\p{L}[\p{L}']*\p{L}|\p{L}/gu)) {
    const w = m[0];
    if (w.length >= 3 && !STOP.has(w)) out.push(w);
  }
  return out;
}

/** Crude stem: a word's first five letters, so "arrived" meets "arrive" and "arrival". */
function stem(w) {
  return w.slice(0, 5);
}

function joinMessages(prompt) {
  if (typeof prompt === 'string') return prompt;
  if (Array.isArray(prompt)) return prompt.map((m) => (typeof m === 'string' ? m : (m?.content ?? ''))).join('\n\n');
  return '';
}

/** Which method prompt this is ('propose' | 'merge' | 'assign' | 'label' | 'pick'), or null. */
export function methodPromptKind(prompt) {
  const text = joinMessages(prompt);
  for (const [kind, marker] of Object.entries(METHOD_MARKERS)) {
    if (text.split('\n').some((line) => line.trim() === marker)) return kind;
  }
  return null;
}

function section(text, start, end) {
  const a = text.indexOf(start);
  if (a < 0) return [];
  const b = text.indexOf(end, a + start.length);
  return text
    .slice(a + start.length, b < 0 ? undefined : b)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

function targetCount(text, fallback) {
  const m = /(?:as|into) (?:exactly|at most) (\d+) topics?/.exec(text);
  return m ? Number(m[1]) : fallback;
}

function titleCase(w) {
  return w.charAt(0).toUpperCase() + w.slice(1);
}

function sortedCounts(map) {
  return [...map].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Topics from the records: greedy word pairs that co-occur most, skipping pairs whose records are already covered. */
function proposeTopics(records, count) {
  const docs = records.map((r) => [...new Set(contentWords(r))]);
  const pairs = new Map();
  const df = new Map();
  for (const words of docs) {
    for (const w of words) df.set(w, (df.get(w) ?? 0) + 1);
    for (let a = 0; a < words.length; a++) {
      for (let b = a + 1; b < words.length; b++) {
        const key = words[a] < words[b] ? `${words[a]} ${words[b]}` : `${words[b]} ${words[a]}`;
        pairs.set(key, (pairs.get(key) ?? 0) + 1);
      }
    }
  }
  const covered = new Set();
  const topics = [];
  const used = new Set();
  const consider = (words) => {
    const holders = [];
    docs.forEach((d, i) => {
      if (words.every((w) => d.includes(w))) holders.push(i);
    });
    const fresh = holders.filter((i) => !covered.has(i)).length;
    if (holders.length === 0 || fresh * 2 < holders.length) return false;
    const key = words.join(' ');
    if (used.has(key)) return false;
    used.add(key);
    for (const i of holders) covered.add(i);
    const others = new Map();
    for (const i of holders) for (const w of docs[i]) if (!words.includes(w)) others.set(w, (others.get(w) ?? 0) + 1);
    const extra = sortedCounts(others)
      .slice(0, 3)
      .map(([w]) => w);
    topics.push({
      name: words.map(titleCase).join(' '),
      description: `Records about ${words.join(' and ')}${extra.length > 0 ? `, often mentioning ${extra.join(', ')}` : ''}.`,
    });
    return true;
  };
  for (const [key, c] of sortedCounts(pairs)) {
    if (topics.length >= count) break;
    if (c < 2) break;
    consider(key.split(' '));
  }
  for (const [w] of sortedCounts(df)) {
    if (topics.length >= count) break;
    consider([w]);
  }
  for (let i = topics.length; i < count && i < records.length + 1; i++) {
    topics.push({ name: `Other ${i + 1}`, description: 'Records with no clear common theme.' });
  }
  return topics.slice(0, count);
}

function topicsJson(topics) {
  const out = {};
  topics.forEach((t, i) => {
    out[String(i + 1)] = { name: t.name, description: t.description };
  });
  return JSON.stringify(out);
}

function answerPropose(text) {
  const records = section(text, '--- Records ---', '--- End Records ---').map((l) => l.replace(/^\d+\.\s*/, ''));
  return topicsJson(proposeTopics(records, targetCount(text, 10)));
}

function parseTopicLine(line) {
  const m = /^(?:-|\d+\.)\s*(.*?)(?::\s+(.*))?$/.exec(line);
  return m ? { name: m[1].trim(), description: (m[2] ?? '').trim() } : null;
}

/** Topics met in several lists first: grouped by the stems of their names. */
function answerMerge(text) {
  const lines = section(text, '--- Proposed topics ---', '--- End Proposed topics ---');
  const groups = new Map();
  let list = 0;
  let order = 0;
  for (const line of lines) {
    if (/^List \d+:$/.test(line)) {
      list++;
      continue;
    }
    const t = parseTopicLine(line);
    if (!t || !t.name) continue;
    const key = [...new Set(contentWords(t.name).map(stem))].sort().join(' ') || t.name.toLowerCase();
    const g = groups.get(key);
    if (g) g.lists.add(list);
    else groups.set(key, { topic: t, lists: new Set([list]), order: order++ });
  }
  const ranked = [...groups.values()].sort((a, b) => b.lists.size - a.lists.size || a.order - b.order);
  return topicsJson(ranked.slice(0, targetCount(text, ranked.length)).map((g) => g.topic));
}

/** Each record to the topic whose name (weight 2) and description words it shares most, rarer words counting more. */
function answerAssign(text) {
  const topics = section(text, '--- Topics ---', '--- End Topics ---')
    .map(parseTopicLine)
    .filter(Boolean);
  const records = section(text, '--- Records ---', '--- End Records ---')
    .map((l) => /^\[(\d+)\]\s*(.*)$/.exec(l))
    .filter(Boolean);
  const weights = topics.map((t) => {
    const w = new Map();
    for (const x of contentWords(t.description)) w.set(stem(x), Math.max(w.get(stem(x)) ?? 0, 1));
    for (const x of contentWords(t.name)) w.set(stem(x), 2);
    return w;
  });
  const spread = new Map();
  for (const w of weights) for (const s of w.keys()) spread.set(s, (spread.get(s) ?? 0) + 1);
  const out = {};
  for (const [, id, body] of records) {
    const stems = new Set(contentWords(body).map(stem));
    let best = 0;
    let bestScore = 0;
    weights.forEach((w, t) => {
      let score = 0;
      for (const s of stems) if (w.has(s)) score += w.get(s) / spread.get(s);
      if (score > bestScore) {
        bestScore = score;
        best = t;
      }
    });
    out[id] = best + 1;
  }
  return JSON.stringify(out);
}

function blocks(text) {
  const out = [];
  for (const m of text.matchAll(/^--- Target (\d+) ---\n([\s\S]*?)^--- End Target \1 ---/gm)) out.push({ id: m[1], body: m[2] });
  return out;
}

/** Up to two of the target's words that most of its similar texts share, in the target's order. */
function labelFor(target, similar) {
  const words = [...new Set(contentWords(target))];
  if (words.length === 0) return 'general question';
  const support = new Map(words.map((w) => [w, 0]));
  for (const s of similar) {
    const stems = new Set(contentWords(s).map(stem));
    for (const w of words) if (stems.has(stem(w))) support.set(w, support.get(w) + 1);
  }
  const chosen = words
    .map((w, i) => ({ w, i, s: support.get(w) }))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, 2)
    .sort((a, b) => a.i - b.i)
    .map((x) => x.w);
  return chosen.join(' ');
}

function answerLabel(text) {
  const out = {};
  for (const b of blocks(text)) {
    const target = /^Text: "(.*)"$/m.exec(b.body)?.[1] ?? '';
    const similar = [...b.body.matchAll(/^- "(.*)"$/gm)].map((m) => m[1]);
    out[b.id] = { label: labelFor(target, similar) };
  }
  return JSON.stringify(out);
}

/** "yes" for a candidate when the target holds more than half of the candidate's words (by stem). */
function answerPick(text) {
  const out = {};
  for (const b of blocks(text)) {
    const target = new Set(contentWords(/^Text: "(.*)"$/m.exec(b.body)?.[1] ?? '').map(stem));
    for (const m of b.body.matchAll(/^(\d+)\. (.*)$/gm)) {
      const words = [...new Set(contentWords(m[2]).map(stem))];
      const shared = words.filter((w) => target.has(w)).length;
      out[m[1]] = words.length > 0 && shared * 2 > words.length ? 'yes' : 'no';
    }
  }
  return JSON.stringify(out);
}

/**
 * The answer to a method prompt (a string, or chat messages), or null when the prompt is not one
 * of the method prompts.
 */
export function answerMethodPrompt(prompt) {
  const text = joinMessages(prompt);
  switch (methodPromptKind(text)) {
    case 'propose':
      return answerPropose(text);
    case 'merge':
      return answerMerge(text);
    case 'assign':
      return answerAssign(text);
    case 'label':
      return answerLabel(text);
    case 'pick':
      return answerPick(text);
    default:
      return null;
  }
}

/**
 * A deterministic bag-of-words embedder for tests that use this responder: every content word gets
 * a seeded pseudo-random direction, a text is the normalised sum of its words' directions (texts
 * sharing words are close). Returns { data: Float32Array, rows, cols } like src/core's Matrix.
 */
export function hashVectors(texts, dims = 32) {
  const data = new Float32Array(texts.length * dims);
  texts.forEach((text, r) => {
    for (const w of contentWords(text)) {
      let h = 2166136261;
      for (let i = 0; i < w.length; i++) h = Math.imul(h ^ w.charCodeAt(i), 16777619);
      for (let j = 0; j < dims; j++) {
        h = Math.imul(h ^ (h >>> 13), 1274126177) >>> 0;
        data[r * dims + j] += (h / 4294967296) * 2 - 1;
      }
    }
    let s = 0;
    for (let j = 0; j < dims; j++) s += data[r * dims + j] ** 2;
    if (s > 0) for (let j = 0; j < dims; j++) data[r * dims + j] /= Math.sqrt(s);
  });
  return { data, rows: texts.length, cols: dims };
}
