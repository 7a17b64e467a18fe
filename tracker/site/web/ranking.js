// The site's ranking, mirroring tracker/search/site_index.py (SiteIndex.rank, dense, convex_site_fusion) and
// tracker/embedding/static_encoder.py (the query vector), so the page answers as `llm-atlas search --method site`.
// Products are rounded to float32 (Math.fround) where numpy computes in float32, so both sides agree closely.
import stem from "wink-porter2-stemmer";

import { compareStrings, dequantise } from "./shared.js";

export { compareStrings, dequantise };

// Python's (?u)\b\w\w+\b: runs of two or more letters, digits or underscores
const WORD = /[\p{L}\p{N}_]{2,}/gu;

/** The query's BM25 stems, as LexicalIndex.tokens: lower case, stop words out, then PyStemmer's stem — taken from
 *  the exceptions table for the words where npm's Porter2 differs, Porter2's otherwise. */
export function queryStems(query, stopwords, exceptions) {
  const out = [];
  for (const word of (query.toLowerCase().match(WORD) || [])) {
    if (stopwords.has(word)) continue;
    out.push(exceptions.has(word) ? exceptions.get(word) : stem(word));
  }
  return out;
}

/** Index of the chunk holding a stem: the last chunk whose first stem is <= it (firsts sorted as Python sorts). */
export function chunkOf(firsts, term) {
  let low = 0, high = firsts.length - 1, found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (compareStrings(firsts[mid], term) <= 0) { found = mid; low = mid + 1; } else high = mid - 1;
  }
  return found;
}

/** Parse one postings chunk (search_bundle.lexical_chunks: header, uint8 weights, then each stem's rows as LEB128
 *  varints of their differences): {term: {rows: Uint32Array, weights: Uint8Array, scale}}. */
export function parsePostings(bytes) {
  const { header, at } = readHeader(bytes);
  const total = header.counts.reduce((sum, count) => sum + count, 0);
  const weights = new Uint8Array(bytes.buffer, bytes.byteOffset + at, total);
  const rows = new Uint32Array(total);
  let read = at + total, start = 0;
  const out = new Map();
  header.terms.forEach((term, i) => {
    let row = 0;
    for (let n = start; n < start + header.counts[i]; n++) {
      let delta = 0, shift = 0, byte;
      do {
        byte = bytes[read++];
        delta += (byte & 0x7f) * 2 ** shift; // not <<: a shift past 31 bits would wrap
        shift += 7;
      } while (byte & 0x80);
      row += delta;
      rows[n] = row;
    }
    out.set(term, { rows: rows.subarray(start, start + header.counts[i]),
                    weights: weights.subarray(start, start + header.counts[i]), scale: header.scales[i] });
    start += header.counts[i];
  });
  return out;
}

/** The token-table file holding a row, from the manifest's ranges [[first row, rows per file], ...]
 *  (search_bundle.token_file_of): {number, first, count}. */
export function tokenFile(row, ranges, rows) {
  let number = 0;
  for (let at = 0; at < ranges.length; at++) {
    const [start, size] = ranges[at];
    const end = at + 1 < ranges.length ? Math.min(rows, ranges[at + 1][0]) : rows;
    if (row < end) {
      const inRange = Math.floor((row - start) / size);
      const first = start + inRange * size;
      return { number: number + inRange, first, count: Math.min(size, end - first) };
    }
    number += Math.ceil((end - start) / size);
  }
  throw new Error(`row ${row} is not in a table of ${rows} rows`);
}

/** A paper's score from its int8 vector and scale (a v/ file: SiteIndex.exact_scores). */
export function exactScore(codes, scale, vector) {
  let sum = 0;
  for (let d = 0; d < vector.length; d++) sum += Math.fround(Math.fround(codes[d] * scale) * vector[d]);
  return Math.fround(sum);
}

/** The fusion's meaning weight for a query of `words` indexable words (SiteSettings.alpha_for). */
export function alphaFor(words, search) {
  return search.long_words !== undefined && words >= search.long_words ? search.long_alpha : search.alpha;
}

export function readHeader(bytes) {
  const length = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + length)));
  return { header, at: 4 + length };
}

/** BM25 score of every row, summed stem by stem in query order (SiteLexical.scores). */
export function lexicalScores(stems, postings, papers) {
  const out = new Float32Array(papers);
  for (const term of stems) {
    const found = postings.get(term);
    if (!found) continue;
    const scale = Math.fround(found.scale);
    for (let i = 0; i < found.rows.length; i++) {
      out[found.rows[i]] += Math.fround(found.weights[i] * scale);
    }
  }
  return out;
}

/** Mean of the token rows' vectors (StaticEncoder.encode_rows): codes * per-row scale, summed, / count. */
export function queryVector(rows, rowVector, rank) {
  const sum = new Float64Array(rank);
  for (const row of rows) {
    const { codes, scale } = rowVector(row);
    for (let d = 0; d < rank; d++) sum[d] += Math.fround(codes[d] * scale);
  }
  const out = new Float32Array(rank);
  if (rows.length) for (let d = 0; d < rank; d++) out[d] = sum[d] / rows.length;
  return out;
}

/** Dot products of the query with each row of a float32 matrix. */
export function dots(matrix, vector, rows, width) {
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let d = 0; d < width; d++) sum += Math.fround(matrix[r * width + d] * vector[d]);
    out[r] = sum;
  }
  return out;
}

/** (subspaces x pieces) dot products of the query's pieces with the codebooks (ProductQuantizer.tables). */
export function pqTables(vector, books, subspaces, pieces, width) {
  const out = new Float32Array(subspaces * pieces);
  for (let m = 0; m < subspaces; m++) {
    for (let p = 0; p < pieces; p++) {
      let sum = 0;
      const base = (m * pieces + p) * width;
      for (let w = 0; w < width; w++) sum += Math.fround(books[base + w] * vector[m * width + w]);
      out[m * pieces + p] = sum;
    }
  }
  return out;
}

/** Scores of one list's papers: query · centroid + sum of table lookups; only allowed rows. */
export function scoreList(members, codes, tables, base, subspaces, pieces, allowed) {
  const rows = [], scores = [];
  for (let i = 0; i < members.length; i++) {
    const row = members[i];
    if (allowed && !allowed[row]) continue;
    let sum = 0;
    for (let m = 0; m < subspaces; m++) sum += tables[m * pieces + codes[i * subspaces + m]];
    rows.push(row);
    scores.push(Math.fround(base + Math.fround(sum)));
  }
  return { rows, scores };
}

/** Indices of scores best first; ties to the lower row (top_rows). */
export function topRows(scores, k, allowed = null) {
  const rows = [];
  for (let row = 0; row < scores.length; row++) if (allowed === null || allowed[row]) rows.push(row);
  rows.sort((a, b) => scores[b] - scores[a] || a - b);
  return rows.slice(0, Math.max(0, k));
}

/** Rows whose BM25 score is > 0, best first (ties to the lower row), at most k. */
export function topMatching(scores, k) {
  const rows = [];
  for (let row = 0; row < scores.length; row++) if (scores[row] > 0) rows.push(row);
  rows.sort((a, b) => scores[b] - scores[a] || a - b);
  return rows.slice(0, Math.max(0, k));
}

/** [[row, score]] best first: "bm25", "dense" or "hybrid" (SiteIndex.rank); dense = {rows, scores} of the lists read;
 *  a word match outside them gets `unknown` as its meaning part (convex_site_fusion). `exact` (Map row -> score from
 *  the row's int8 vector): the rescoring pass; without it, the first pass, whose best `rescore` rows are the ones to
 *  fetch vectors for. With it, "dense" re-sorts with those scores, "hybrid" fuses the same candidates again. */
export function siteRank({ method, k, lexical, dense = null, alpha = 0.5, unknown = 0.5, depth = 100, exact = null }) {
  if (method === "bm25") return topMatching(lexical, k).map((r) => [r, lexical[r]]);
  const order = dense.rows.map((_, i) => i);
  const byScore = (scores) => (a, b) => scores[b] - scores[a] || dense.rows[a] - dense.rows[b];
  order.sort(byScore(dense.scores));
  const deep = Math.max(depth, k);
  if (method === "dense") {
    if (!exact) return order.slice(0, k).map((i) => [dense.rows[i], dense.scores[i]]);
    const scores = dense.scores.map((score, i) => (exact.has(dense.rows[i]) ? exact.get(dense.rows[i]) : score));
    order.sort(byScore(scores)); // every candidate re-sorted, as SiteIndex.rank does
    return order.slice(0, k).map((i) => [dense.rows[i], scores[i]]);
  }
  const known = new Map(dense.rows.map((row, i) => [row, dense.scores[i]]));
  if (exact) for (const [row, score] of exact) known.set(row, score);
  const union = new Set([...order.slice(0, deep).map((i) => dense.rows[i]), ...topMatching(lexical, deep)]);
  const rows = [...union].sort((a, b) => a - b);
  if (!rows.length) return [];
  let low = Infinity, high = -Infinity, best = 0;
  for (const r of rows) {
    if (known.has(r)) {
      low = Math.min(low, known.get(r));
      high = Math.max(high, known.get(r));
    }
    best = Math.max(best, lexical[r]);
  }
  const spread = high - low;
  const combined = rows.map((r) => {
    const densePart = known.has(r) ? (spread > 0 ? (known.get(r) - low) / spread : 1) : unknown;
    const lexicalPart = best > 0 ? lexical[r] / best : 0;
    return [r, alpha * densePart + (1 - alpha) * lexicalPart];
  });
  combined.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return combined.slice(0, k);
}
