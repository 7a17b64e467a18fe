// For you, as the page ranks it: tracker/library/site_rank.py in JavaScript, rule for rule (`llm-atlas recommend
// --method site` runs the Python; tests/test_foryou_js.py checks that both give the same list on real data).
//
// Site rows are papers in (date, id) order, as in the search data. A codes file holds ROW_CHUNK rows, 34 bytes
// each: the row's inverted list (uint16 LE), then its 32 PQ codes (uint8). A paper's vector is its list's
// dequantised centroid plus its PQ-decoded residual times the residual scale (manifest.codes.residual_scale), in
// float32 (Math.fround) as numpy computes it; from there on everything is float64, as in Python.

import { compareStrings, dequantise } from "./shared.js";

export { compareStrings, dequantise };

export const ROW_CHUNK = 256;
export const LIST_BYTES = 2;
export const WEEKS = 4;
export const BECAUSE = 2;
export const METHOD = "topk";
export const METHODS = ["mean", "max", "topk"];
export const TOPK = 3;
export const RESIDUAL_SCALE = 1.25; // the default of manifest.codes.residual_scale

export function rowBytes(subspaces) {
  return LIST_BYTES + subspaces;
}

/** {lists: Uint16Array, codes: Uint8Array (rows x subspaces)} of one inflated codes file (decode_rows). */
export function decodeRows(bytes, subspaces) {
  const width = rowBytes(subspaces);
  if (bytes.length % width) throw new Error(`a codes file of ${bytes.length} bytes is not whole rows of ${width} bytes`);
  const count = bytes.length / width;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const lists = new Uint16Array(count);
  const codes = new Uint8Array(count * subspaces);
  for (let r = 0; r < count; r++) {
    lists[r] = view.getUint16(r * width, true);
    codes.set(bytes.subarray(r * width + LIST_BYTES, (r + 1) * width), r * subspaces);
  }
  return { lists, codes };
}

/** The codes files a set of rows needs, ascending (chunks_of). */
export function chunksOf(rows) {
  return [...new Set(Array.from(rows, (r) => Math.floor(r / ROW_CHUNK)))].sort((a, b) => a - b);
}

/** [first, end) rows of the newest `newest` weeks; null: all time (week_rows). */
export function weekRows(weeks, newest = WEEKS) {
  if (!weeks.length) return [0, 0];
  const picked = newest === null ? weeks : weeks.slice(-newest);
  return [picked[0][1], picked[picked.length - 1][2]];
}

/** The codebooks times the residual scale, in float32 (site_vectors' `books`). */
export function scaledBooks(books, residualScale = RESIDUAL_SCALE) {
  const out = new Float32Array(books.length);
  for (let i = 0; i < books.length; i++) out[i] = Math.fround(residualScale * books[i]);
  return out;
}

/** float32 vector of one row: centroid[list] + its codebook pieces (site_vectors). `centroids`: Float32Array
 *  (lists x rank), `books`: Float32Array (subspaces x pieces x width), dequantised and scaled (scaledBooks). */
export function siteVector(list, codes, centroids, books, { rank, subspaces, pieces }) {
  const width = rank / subspaces;
  const out = new Float32Array(rank);
  const centre = list * rank;
  for (let m = 0; m < subspaces; m++) {
    const piece = (m * pieces + codes[m]) * width;
    for (let w = 0; w < width; w++) out[m * width + w] = Math.fround(centroids[centre + m * width + w] + books[piece + w]);
  }
  return out;
}

/** Rows scaled to length 1 in float64 (a zero row stays zero): Float64Array (count x rank) (unit). */
export function unit(vectors, rank) {
  const count = vectors.length;
  const out = new Float64Array(count * rank);
  for (let r = 0; r < count; r++) {
    const vector = vectors[r];
    let norm = 0;
    for (let d = 0; d < rank; d++) norm += vector[d] * vector[d];
    norm = Math.sqrt(norm);
    const scale = norm > 0 ? norm : 1;
    for (let d = 0; d < rank; d++) out[r * rank + d] = vector[d] / scale;
  }
  return out;
}

function dot(a, aAt, b, bAt, rank) {
  let sum = 0;
  for (let d = 0; d < rank; d++) sum += a[aAt + d] * b[bAt + d];
  return sum;
}

/** Float64Array score per candidate (scores); both matrices are unit rows (count x rank). */
export function scores(candidates, library, rank, method = METHOD, topk = TOPK) {
  const count = candidates.length / rank;
  const size = library.length / rank;
  const out = new Float64Array(count);
  if (method === "mean") {
    const mean = new Float64Array(rank);
    for (let l = 0; l < size; l++) for (let d = 0; d < rank; d++) mean[d] += library[l * rank + d];
    for (let d = 0; d < rank; d++) mean[d] /= size;
    for (let c = 0; c < count; c++) out[c] = dot(candidates, c * rank, mean, 0, rank);
    return out;
  }
  if (method !== "max" && method !== "topk") throw new Error(`unknown site ranking ${method}; one of ${METHODS.join(", ")}`);
  const take = method === "max" ? 1 : Math.min(topk, size);
  const best = new Float64Array(take); // the `take` highest similarities so far, highest first
  for (let c = 0; c < count; c++) {
    best.fill(-Infinity);
    for (let l = 0; l < size; l++) {
      const sim = dot(candidates, c * rank, library, l * rank, rank);
      if (sim <= best[take - 1]) continue;
      let at = take - 1;
      while (at > 0 && best[at - 1] < sim) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = sim;
    }
    if (method === "max") out[c] = best[0];
    else {
      let sum = 0;
      for (let i = 0; i < take; i++) sum += best[i];
      out[c] = sum / take;
    }
  }
  return out;
}

/** Positions of the k best values, best first, ties to the lower row (order). */
export function order(values, rows, k) {
  const positions = Array.from(values, (_, i) => i);
  positions.sort((a, b) => values[b] - values[a] || rows[a] - rows[b]);
  return positions.slice(0, Math.max(0, k));
}

/** The rows of the `count` library papers most similar to one candidate (because). */
export function because(candidates, at, library, libraryRows, rank, count = BECAUSE) {
  const sims = new Float64Array(libraryRows.length);
  for (let l = 0; l < libraryRows.length; l++) sims[l] = dot(library, l * rank, candidates, at * rank, rank);
  return order(sims, libraryRows, count).map((i) => libraryRows[i]);
}

export const BLOCK = 2048; // candidates scored at a time: memory stays small, and the page can breathe between blocks

/** The page's For-you list: [{row, score, because: [library rows]}], the k best candidates, library rows left out
 *  (rank). `vectorsOf(rows)` gives siteVector's vectors (float32, not yet unit) of some rows (it may be async);
 *  rows are site rows, in any order. Candidates are scored a block at a time (each score depends on its candidate
 *  and the library alone, so the list is the one of scoring them all at once); `pause` is awaited between blocks,
 *  `progress(done, total)` told. */
export async function rank(candidateRows, libraryRows, libraryVectors, vectorsOf, k,
                           { rank: width, method = METHOD, block = BLOCK, pause = null, progress = null } = {}) {
  const inLibrary = new Set(libraryRows);
  const rows = Array.from(candidateRows).filter((row) => !inLibrary.has(row));
  const library = unit(libraryVectors, width);
  if (!rows.length || !libraryRows.length) return [];
  const values = new Float64Array(rows.length);
  for (let start = 0; start < rows.length; start += block) {
    const part = rows.slice(start, start + block);
    values.set(scores(unit(await vectorsOf(part), width), library, width, method), start);
    if (progress) progress(Math.min(rows.length, start + block), rows.length);
    if (pause && start + block < rows.length) await pause();
  }
  const best = order(values, rows, k);
  const top = unit(await vectorsOf(best.map((i) => rows[i])), width);
  return best.map((i, j) => ({ row: rows[i], score: values[i], because: because(top, j, library, libraryRows, width) }));
}
