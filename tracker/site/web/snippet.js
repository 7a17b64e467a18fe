// Result snippets for the search page: the abstract's sentence that best matches the query, its words marked,
// and a guess whether a query is written in English. Pure functions (no DOM): tests/test_web_search_js.py runs
// them under Node; the worker (worker.js) calls them when a shown result's abstract arrives.
import stem from "wink-porter2-stemmer";

// a word as the index splits text (ranking.js WORD, Python's (?u)\b\w\w+\b): two or more letters, digits or _
const WORD = /[\p{L}\p{N}_]{2,}/gu;
// abbreviations a sentence does not end after ("e.g. the", "et al. show", "Fig. 2")
const ABBREVIATIONS = new Set(["e.g", "i.e", "al", "vs", "etc", "cf", "fig", "figs", "eq", "eqs", "sec", "resp",
  "approx", "no", "nos", "ref", "refs", "dr", "mr", "ms", "prof", "st", "viz", "ca", "incl", "tab", "vol", "ch"]);
export const SNIPPET_CHARS = 250;

/** The stems a query's words have (stop words out): what a snippet marks. */
export function queryKeys(query, stopwords = new Set()) {
  const keys = new Set();
  for (const word of (query.toLowerCase().match(WORD) || [])) {
    if (!stopwords.has(word)) keys.add(stem(word));
  }
  return keys;
}

/** [start, end) of each sentence of a text (white space already collapsed). */
export function sentenceSpans(text) {
  const spans = [];
  const end = /[.!?]+["')\]”’]*\s+/g;
  let start = 0;
  for (let found; (found = end.exec(text));) {
    const after = found.index + found[0].length;
    const next = text[after];
    const before = text.slice(start, found.index).match(/(\S+)$/);
    const last = before ? before[1].toLowerCase().replace(/^[("'[]+/, "") : "";
    // a sentence starts with a capital, a digit, a bracket, a quote or maths; an abbreviation is no end
    if (!next || /\p{Ll}/u.test(next) || ABBREVIATIONS.has(last) || /^\p{L}$/u.test(last)) continue;
    spans.push([start, after]);
    start = after;
  }
  if (start < text.length) spans.push([start, text.length]);
  return spans;
}

/** Where the query's words are in text: [[start, end]] of each word whose stem is one of keys. */
export function marks(text, keys) {
  const out = [];
  if (!keys.size) return out;
  for (const found of text.matchAll(WORD)) {
    if (keys.has(stem(found[0].toLowerCase()))) out.push([found.index, found.index + found[0].length]);
  }
  return out;
}

function distinctKeys(text, keys) {
  const seen = new Set();
  for (const found of text.matchAll(WORD)) {
    const key = stem(found[0].toLowerCase());
    if (keys.has(key)) seen.add(key);
  }
  return seen.size;
}

/** A cut of text to about `limit` characters at word boundaries, keeping `[from, to)` inside it. */
function window(text, from, to, limit) {
  if (text.length <= limit) return [0, text.length];
  let start = Math.max(0, Math.min(from - Math.floor(limit / 4), text.length - limit));
  if (start > 0) {
    const space = text.indexOf(" ", start);
    start = space >= 0 && space < from ? space + 1 : start;
  }
  let stop = Math.min(text.length, Math.max(start + limit, to));
  if (stop < text.length) {
    const space = text.lastIndexOf(" ", stop);
    stop = space > Math.max(start, to - 1) ? space : stop;
  }
  return [start, stop];
}

/**
 * The snippet of an abstract for a query: the sentence with the most distinct query words (stems), the earliest
 * of equals; with none, the first sentences. About `limit` characters, cut at words ("…" where text is left out).
 * Returns {sentence (its index), matched (distinct query words in it), parts: [[text, marked], ...]}.
 */
export function snippet(abstract, query, { stopwords = new Set(), limit = SNIPPET_CHARS } = {}) {
  const text = String(abstract || "").replace(/\s+/g, " ").trim();
  const keys = queryKeys(query || "", stopwords);
  const spans = sentenceSpans(text);
  let best = 0, matched = 0;
  spans.forEach(([start, end], i) => {
    const count = distinctKeys(text.slice(start, end), keys);
    if (count > matched) { best = i; matched = count; }
  });
  let [start, end] = spans.length ? spans[best] : [0, 0];
  if (!matched) {
    // no query word in any sentence: the abstract's opening, whole sentences while they fit
    end = spans.length ? spans[0][1] : 0;
    for (const span of spans.slice(1)) {
      if (span[1] > limit) break;
      end = span[1];
    }
  }
  const sentence = text.slice(start, end).trimEnd();
  const found = marks(sentence, keys);
  const [from, to] = found.length ? found[0] : [0, 0];
  const [cutStart, cutEnd] = window(sentence, from, to, limit);
  const parts = [];
  if (start + cutStart > 0) parts.push(["… ", false]);
  let at = cutStart;
  for (const [markStart, markEnd] of found) {
    if (markStart < cutStart || markEnd > cutEnd) continue;
    if (markStart > at) parts.push([sentence.slice(at, markStart), false]);
    parts.push([sentence.slice(markStart, markEnd), true]);
    at = markEnd;
  }
  if (cutEnd > at) parts.push([sentence.slice(at, cutEnd), false]);
  if (start + cutEnd < text.length) parts.push([" …", false]);
  return { sentence: spans.length ? best : -1, matched, parts: mergeText(parts) };
}

function mergeText(parts) {
  const out = [];
  for (const [text, marked] of parts) {
    const last = out[out.length - 1];
    if (last && !last[1] && !marked) last[0] += text;
    else out.push([text, marked]);
  }
  return out;
}

// the function words of a few languages written in Latin script; two of them, and more of them than of English
// stop words, make a query "not English" (French, German, Spanish, Portuguese, Italian, Dutch)
const FOREIGN_WORDS = new Set(`le la les des du un une et est pour dans avec sur qui que pas au aux ce cette sont
der das und ist nicht mit für von zu den dem ein eine einen wie auf auch sich bei oder über werden
el los las del es por con para una más como pero su sus se
os da dos das em um uma não
il gli della delle di che sono
het een van en niet voor zijn ook`.split(/\s+/));

/**
 * Whether a query is mostly not English: most of its letters outside the Latin script (Chinese, Cyrillic,
 * Arabic, …), or, in Latin script, at least two function words of another language and fewer English stop words.
 */
export function notEnglish(query, englishStopwords = new Set()) {
  const letters = query.match(/\p{L}/gu) || [];
  if (!letters.length) return false;
  const latin = letters.filter((ch) => /\p{Script=Latin}/u.test(ch)).length;
  if (latin < letters.length / 2) return true;
  const words = query.toLowerCase().match(/\p{L}+/gu) || [];
  const foreign = words.filter((w) => FOREIGN_WORDS.has(w)).length;
  const english = words.filter((w) => englishStopwords.has(w) && !FOREIGN_WORDS.has(w)).length;
  return foreign >= 2 && foreign > english;
}
