// Ranking over the site's search data, mirroring tracker/search/query.py (rank_rows, convex_fusion) and
// tracker/search/lexical.py (LexicalIndex.scores), so the page answers as `llm-atlas search` does.
import stem from "wink-porter2-stemmer";

// Python's (?u)\b\w\w+\b: runs of two or more letters, digits or underscores
const WORD = /[\p{L}\p{N}_]{2,}/gu;

/** The query's words as the index's columns: a word some paper contains is looked up (its exact PyStemmer
 *  stem, computed at build time); any other word is stemmed here (Porter2) and looked up by its stem. */
export function lexicalColumns(query, stopwords, terms, columns) {
  const out = [];
  for (const word of (query.toLowerCase().match(WORD) || [])) {
    if (stopwords.has(word)) continue;
    const column = terms.has(word) ? terms.get(word) : columns.get(stem(word));
    if (column !== undefined) out.push(column);
  }
  return out;
}

export class Lexical {
  constructor(meta, buffer, papers) {
    const view = (spec) => {
      const Type = { uint16: Uint16Array, uint32: Uint32Array }[spec.type];
      return new Type(buffer, spec.offset, spec.count);
    };
    this.column = new Map(meta.vocabulary.map((word, i) => [word, i]));
    this.terms = new Map(Object.entries(meta.terms));
    this.stopwords = new Set(meta.stopwords);
    this.indptr = view(meta.indptr);
    this.docs = view(meta.docs);
    this.weights = view(meta.weights);
    this.scale = meta.weight_scale;
    this.papers = papers;
  }

  /** BM25 score of every paper (0 where no query word occurs); a repeated word counts again. */
  scores(query) {
    const out = new Float32Array(this.papers);
    for (const column of lexicalColumns(query, this.stopwords, this.terms, this.column)) {
      for (let at = this.indptr[column]; at < this.indptr[column + 1]; at++) {
        out[this.docs[at]] += this.weights[at] * this.scale;
      }
    }
    return out;
  }
}

/** Cosine of a query (float) to every paper (int8 codes times per-dimension scales). */
export function denseScores(query, codes, scales, papers, dimension) {
  const q = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) q[d] = query[d] * scales[d];
  const out = new Float32Array(papers);
  for (let row = 0, base = 0; row < papers; row++, base += dimension) {
    let sum = 0;
    for (let d = 0; d < dimension; d++) sum += q[d] * codes[base + d];
    out[row] = sum;
  }
  return out;
}

/** Rows of the k best scores among allowed rows, best first; ties go to the lower row (as top_rows). */
export function topRows(scores, k, allowed = null) {
  const rows = [];
  for (let row = 0; row < scores.length; row++) {
    if (allowed === null || allowed[row]) rows.push(row);
  }
  rows.sort((a, b) => scores[b] - scores[a] || a - b);
  return rows.slice(0, Math.max(0, k));
}

/** [[row, score]] best first, for one query: "dense", "bm25" or "hybrid" (convex fusion). */
export function rankRows({ method, k, dense, lexical, allowed = null, alpha = 0.6, depth = 100 }) {
  if (method === "dense") return topRows(dense, k, allowed).map((r) => [r, dense[r]]);
  let lex = lexical;
  if (allowed !== null) lex = lexical.map((s, row) => (allowed[row] ? s : 0));
  const matching = lex.reduce((n, s) => n + (s > 0 ? 1 : 0), 0);
  if (method === "bm25") return topRows(lex, Math.min(k, matching)).map((r) => [r, lex[r]]);
  const deep = Math.max(depth, k);
  const union = new Set([...topRows(dense, deep, allowed), ...topRows(lex, Math.min(deep, matching))]);
  const rows = [...union].sort((a, b) => a - b);
  if (!rows.length) return [];
  let low = Infinity, high = -Infinity, best = 0;
  for (const r of rows) {
    low = Math.min(low, dense[r]);
    high = Math.max(high, dense[r]);
    best = Math.max(best, lex[r]);
  }
  const spread = high - low;
  const combined = rows.map((r) => {
    const densePart = spread > 0 ? (dense[r] - low) / spread : 1;
    const lexicalPart = best > 0 ? lex[r] / best : 0;
    return [r, alpha * densePart + (1 - alpha) * lexicalPart];
  });
  combined.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return combined.slice(0, k);
}
