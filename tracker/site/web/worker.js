// The search page's worker: fetches only the pieces of the site's search data a query needs (tracker/site/
// search_bundle.py lays them out), embeds the query with the static token table and ranks papers off the page's
// main thread, as `llm-atlas search --method site` does.
//
// Messages in:  {type: "load"} | {type: "search", id, query, method, k, filters} | {type: "like", id, paper, k, filters}
//               {type: "snippets", id, query, papers: [{id, where}]} (the abstracts of shown results)
// Messages out: {type: "ready", what: "data", models, topics, papers, entries, abstractChunk} | {type: "progress", loaded}
//               {type: "results", id, stage: "words" | "final", method, hits, ms, words, known, strength, floor,
//                notEnglish}
//               {type: "snippets", id, snippets: {paper id: {parts, matched}}} (one per abstracts file, as it arrives)
//               {type: "error", id, message}
// `words`: the query's indexable words (0: punctuation or stop words only), `known`: how many of them some paper
// contains; `strength`: the best paper's score in the lists read over the query vector's length (null without a
// meaning search). The page says "no good match" under `floor` (measured per store size: search_bundle.py
// MATCH_FLOORS) or when most of the words are in no paper.
import { WordPieceTokenizer } from "./tokenizer.js";
import {
  alphaFor, chunkOf, compareStrings, dequantise, dots, exactScore, lexicalScores, parsePostings, pqTables,
  queryStems, queryVector, scoreList, siteRank, tokenFile, topRows,
} from "./ranking.js";
import { notEnglish, snippet } from "./snippet.js";

const here = new URL("./", import.meta.url);
let manifest = null;
let base = null; // {directory, models, topics, lexicon: {stopwords, exceptions, firsts}}
let encoder = null; // {tokenizer, centroids, books}
let baseReady = null;
let encoderReady = null;
let latest = null; // id of the newest request: an older one stops when it would wait
const cache = new Map(); // file name -> promise of its inflated bytes (each file is fetched once per visit)
const progress = { loaded: 0 };

function post(message) {
  self.postMessage(message);
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function fetchBytes(name) {
  if (!cache.has(name)) {
    const promise = (async () => {
      // every name but the manifest's carries its content's hash: whatever the browser cached is right
      const response = await fetch(new URL(name, here));
      if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      progress.loaded += bytes.length;
      post({ type: "progress", loaded: progress.loaded });
      return name.endsWith(".gz") ? inflate(bytes) : bytes;
    })();
    promise.catch(() => cache.delete(name)); // a failed fetch may be tried again by a later query
    cache.set(name, promise);
  }
  return cache.get(name);
}

async function fetchJson(name) {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(name)));
}

function chunkName(kind, number, extension = "gz") {
  // token files, postings and vectors share one hash (search_bundle ONE_DIGEST_KINDS); other chunks have their own
  const digest = base.directory.digests && base.directory.digests[kind];
  const hash = digest || base.directory[kind].slice(8 * number, 8 * number + 8);
  return `${kind}/${number}.${hash}.${extension}`;
}

async function loadBase() {
  const response = await fetch(new URL("manifest.json", here), { cache: "no-cache" });
  if (!response.ok) throw new Error(`the site has no search data (manifest.json: HTTP ${response.status})`);
  manifest = await response.json();
  const [directory, models, lexicon, topics] = await Promise.all([
    fetchJson(manifest.files.directory), fetchJson(manifest.files.models), fetchJson(manifest.files.lexicon),
    manifest.files.topics ? fetchJson(manifest.files.topics) : {},
  ]);
  base = {
    directory, models, topics,
    lexicon: { stopwords: new Set(lexicon.stopwords), exceptions: new Map(Object.entries(lexicon.exceptions)),
               firsts: lexicon.firsts },
  };
  post({ type: "ready", what: "data", models, topics, papers: manifest.papers, entries: manifest.entries || null,
         abstractChunk: manifest.abstracts ? manifest.abstracts.chunk : null });
}

async function loadEncoder() {
  await baseReady;
  const [vocab, centroids, codebook] = await Promise.all([
    fetchBytes(manifest.files.vocab), fetchBytes(manifest.files.centroids), fetchBytes(manifest.files.codebook),
  ]);
  const rank = manifest.encoder.rank;
  const lists = manifest.lists.count;
  const { subspaces, pieces } = manifest.lists;
  const width = rank / subspaces;
  const centroidCodes = new Int8Array(centroids.buffer, centroids.byteOffset, lists * rank);
  const centroidScales = new Float32Array(centroids.buffer.slice(centroids.byteOffset + align(lists * rank),
    centroids.byteOffset + align(lists * rank) + 4 * lists));
  const bookCodes = new Int8Array(codebook.buffer, codebook.byteOffset, subspaces * pieces * width);
  const bookScales = new Float32Array(codebook.buffer.slice(codebook.byteOffset + align(subspaces * pieces * width),
    codebook.byteOffset + align(subspaces * pieces * width) + 4 * subspaces));
  encoder = {
    tokenizer: WordPieceTokenizer.fromText(new TextDecoder().decode(vocab), { maxTokens: manifest.encoder.max_tokens }),
    centroids: dequantise(centroidCodes, centroidScales, rank),
    books: dequantise(bookCodes, bookScales, pieces * width),
    rank, lists, subspaces, pieces, width,
  };
}

function align(n) {
  return n + (-n % 4 + 4) % 4;
}

function load() {
  if (!baseReady) {
    baseReady = loadBase();
    encoderReady = loadEncoder();
    // a failure is reported with the request that waits on it; keep unhandled rejections quiet here
    baseReady.catch(() => {});
    encoderReady.catch(() => {});
  }
}

// -- the pieces a query needs ----------------------------------------------------------------------------
async function postingsFor(stems) {
  const { firsts } = base.lexicon;
  const chunks = [...new Set(stems.map((s) => chunkOf(firsts, s)).filter((c) => c >= 0))];
  const parsed = await Promise.all(chunks.map(async (c) => parsePostings(await fetchBytes(chunkName("x", c)))));
  const postings = new Map();
  for (const map of parsed) for (const [term, value] of map) postings.set(term, value);
  return postings;
}

async function tokenRows(rows) {
  const { rank, chunks: ranges } = manifest.encoder;
  const fileOf = (row) => tokenFile(row, ranges, manifest.encoder.rows);
  const files = new Map(rows.map((row) => { const file = fileOf(row); return [file.number, file]; }));
  const loaded = new Map();
  await Promise.all([...files.values()].map(async ({ number, count }) => {
    const bytes = await fetchBytes(chunkName("t", number));
    const codes = new Int8Array(bytes.buffer, bytes.byteOffset, count * rank);
    const scales = new Float32Array(bytes.buffer.slice(bytes.byteOffset + align(count * rank), bytes.byteOffset + align(count * rank) + 4 * count));
    loaded.set(number, { codes, scales });
  }));
  return (row) => {
    const { number, first } = fileOf(row);
    const chunk = loaded.get(number);
    const at = row - first;
    return { codes: chunk.codes.subarray(at * rank, (at + 1) * rank), scale: chunk.scales[at] };
  };
}

async function listOf(number) {
  const bytes = await fetchBytes(chunkName("l", number));
  const count = bytes.length ? Math.round(bytes.length / (4 + encoder.subspaces)) : 0;
  // rows (uint32) then codes (uint8); the codes block ends the file, rows are count * 4 bytes
  const rows = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + 4 * count));
  const codes = new Uint8Array(bytes.buffer, bytes.byteOffset + 4 * count, count * encoder.subspaces);
  return { rows, codes };
}

/** SiteIndex.dense: the lists whose centroids score best, more of them while a filter leaves too few papers. */
async function dense(vector, allowed) {
  const { subspaces, pieces, width } = encoder;
  const tables = pqTables(vector, encoder.books, subspaces, pieces, width);
  const centroidScores = dots(encoder.centroids, vector, encoder.lists, encoder.rank);
  const order = topRows(centroidScores, encoder.lists);
  const probes = manifest.search.probes;
  const limit = allowed ? Math.min(order.length, 4 * probes) : order.length;
  const rows = [], scores = [];
  let found = 0, read = 0;
  while (read < order.length) {
    if (read >= Math.min(probes, order.length) && (!allowed || found >= manifest.search.depth || read >= limit)) break;
    // fetch the next batch of lists at once (probes of them), then use them one by one, as Python does
    const batch = order.slice(read, Math.min(order.length, read + probes));
    const fetched = await Promise.all(batch.map(listOf));
    for (let i = 0; i < batch.length; i++) {
      if (read >= Math.min(probes, order.length) && (!allowed || found >= manifest.search.depth || read >= limit)) break;
      const scored = scoreList(fetched[i].rows, fetched[i].codes, tables, centroidScores[batch[i]], subspaces, pieces, allowed);
      rows.push(...scored.rows);
      scores.push(...scored.scores);
      found += scored.rows.length;
      read += 1;
    }
  }
  return { rows, scores, read };
}

/** The ranking's best `rescore` rows scored again from their vectors (v/<row>, stored as is), as SiteIndex.rank does:
 *  the first pass names them, the second fuses (or re-sorts) with their exact scores. */
async function rescored(settings, method, lexical, found, vector) {
  const rescore = manifest.search.rescore || 0;
  if (!rescore || method === "bm25") return siteRank({ ...settings, method, lexical, dense: found });
  const first = siteRank({ ...settings, k: Math.max(settings.k, rescore), method, lexical, dense: found })
    .slice(0, rescore);
  if (!first.length) return first;
  const size = manifest.search.vectors || 1;
  const scored = Promise.all(first.map(async ([row]) => {
    const bytes = await fetchBytes(chunkName("v", Math.floor(row / size), "bin"));
    // a file: its papers' int8 vectors (rank bytes each), padded to 4 bytes, then their float32 scales
    const at = row % size, rank = vector.length;
    const count = Math.min(size, manifest.papers - (row - at));
    const codes = new Int8Array(bytes.buffer, bytes.byteOffset + at * rank, rank);
    const scale = new DataView(bytes.buffer, bytes.byteOffset + align(count * rank) + 4 * at, 4).getFloat32(0, true);
    return [row, exactScore(codes, scale, vector)];
  }));
  let exact;
  try {
    exact = new Map(await scored);
  } catch {
    return siteRank({ ...settings, method, lexical, dense: found }); // no vectors: the ranking by PQ codes
  }
  return siteRank({ ...settings, method, lexical, dense: found, exact });
}

/** The site rows of a row-list file (k/<model>, a/<kind>): uint32s. */
async function rowList(name) {
  const bytes = await fetchBytes(name);
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
}

async function allowedRows(filters) {
  const { since, until, model } = filters || {};
  const has = (filters && filters.has) || []; // artifact kinds a paper must name: "code", "weights", "data", …
  if (!since && !until && !model && !has.length) return null;
  const allowed = new Uint8Array(manifest.papers);
  let low = 0, high = manifest.papers;
  if (since || until) {
    const dates = await fetchJson(manifest.files.dates);
    const first = (date) => {
      const found = dates.find(([day]) => day >= date);
      return found ? found[1] : manifest.papers;
    };
    if (since) low = first(since);
    if (until) {
      const after = dates.find(([day]) => day > until);
      high = after ? after[1] : manifest.papers;
    }
  }
  if (model) {
    const hash = base.directory.k[model];
    if (hash) {
      for (const row of await rowList(`k/${model}.${hash}.gz`)) {
        if (row >= low && row < high) allowed[row] = 1;
      }
    }
  } else {
    allowed.fill(1, low, high);
  }
  if (has.length) {
    // a paper must name every kind asked for (with code and weights: both)
    const lists = await Promise.all(has.map((kind) => {
      const hash = base.directory.a && base.directory.a[kind];
      return hash ? rowList(`a/${kind}.${hash}.gz`) : new Uint32Array(0);
    }));
    const count = new Uint8Array(manifest.papers);
    for (const list of lists) for (const row of list) count[row] += 1;
    for (let row = 0; row < allowed.length; row++) if (count[row] < has.length) allowed[row] = 0;
  }
  return allowed;
}

async function hits(ranked) {
  const size = manifest.chunks.meta;
  const chunks = [...new Set(ranked.map(([row]) => Math.floor(row / size)))];
  const loaded = new Map(await Promise.all(chunks.map(async (c) => [c, await fetchJson(chunkName("p", c))])));
  return ranked.map(([row, score]) => {
    const [id, title, authors, published, models, topics = [], where = null, artifacts = []] = loaded.get(Math.floor(row / size))[row % size];
    return { id, title, authors, published, models, topics, where, artifacts, score };
  });
}

// -- requests ---------------------------------------------------------------------------------------------
async function search({ id, query, method, k, filters }) {
  const started = performance.now();
  await baseReady;
  const allowed = await allowedRows(filters);
  const stems = queryStems(query, base.lexicon.stopwords, base.lexicon.exceptions);
  const about = { words: stems.length, known: 0, strength: null, floor: manifest.search.floor ?? null,
                  notEnglish: notEnglish(query, base.lexicon.stopwords) };
  const wordsReady = postingsFor(stems).then((postings) => {
    about.known = stems.filter((s) => postings.has(s)).length; // the query's words some paper contains
    const scores = lexicalScores(stems, postings, manifest.papers);
    return allowed ? scores.map((s, row) => (allowed[row] ? s : 0)) : scores;
  });
  // a long query leans more on its words (SiteSettings.alpha_for: README "Search in the site")
  const settings = { k, alpha: alphaFor(stems.length, manifest.search), unknown: manifest.search.unknown,
                     depth: manifest.search.depth };
  if (method === "bm25") {
    const lexical = await wordsReady;
    post({ type: "results", id, stage: "final", method, hits: await hits(siteRank({ ...settings, method, lexical })), ms: performance.now() - started, ...about });
    return;
  }
  const encoderLoaded = encoder !== null; // word matches first only while the meaning search is still loading
  const meaning = (async () => {
    await encoderReady;
    const rows = encoder.tokenizer.encode(query);
    const rowVector = await tokenRows(rows);
    const vector = queryVector(rows, rowVector, encoder.rank);
    const found = await dense(vector, allowed);
    found.strength = matchStrength(found.scores, vector);
    found.vector = vector;
    return found;
  })();
  meaning.catch(() => {});
  const lexical = await wordsReady;
  let answered = false;
  // word matches first, when they are ready before the meaning (they need less data) on a visit's first query:
  // later, the meaning needs a few small files more than the words do, and showing (and fetching the details
  // of) a second list of results for a moment costs a further query ~20 KB (issue 25)
  const early = Promise.race([meaning.then(() => "meaning", () => "meaning"), Promise.resolve("words")]);
  if (!encoderLoaded && (await early) === "words") {
    const words = await hits(siteRank({ ...settings, method: "bm25", lexical }));
    if (latest !== id) return;
    post({ type: "results", id, stage: "words", method: "bm25", hits: words, ms: performance.now() - started, ...about });
    answered = words;
  }
  let found;
  try {
    found = await meaning;
  } catch (error) {
    // no token vectors (a failed download, an old browser): the word matches are the answer, and the page says why
    const words = answered || await hits(siteRank({ ...settings, method: "bm25", lexical }));
    post({ type: "results", id, stage: "final", method: "bm25", hits: words, ms: performance.now() - started, ...about,
           note: `answers by words only: the meaning search did not load (${error && error.message || error})` });
    return;
  }
  if (latest !== id) return; // a newer query replaced this one
  const ranked = await rescored(settings, method, lexical, found, found.vector);
  if (latest !== id) return;
  post({ type: "results", id, stage: "final", method, hits: await hits(ranked), ms: performance.now() - started,
         ...about, strength: found.strength });
}

/** How close the best paper of the lists read is to the query: its score over the query vector's length
 *  (scripts/measure_search_floor.py measures the same in Python). */
export function matchStrength(scores, vector) {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (!scores.length || !(norm > 0)) return 0;
  let best = -Infinity;
  for (const score of scores) best = Math.max(best, score);
  return best / norm;
}

// -- snippets: the abstracts of shown results (generated/abstracts/, tracker/site/abstracts.py) ----------
async function snippets({ id, query, papers }) {
  await baseReady;
  const folder = manifest.abstracts && manifest.abstracts.folder;
  if (!folder) return;
  const byFile = new Map();
  for (const paper of papers) {
    if (!paper.where) continue;
    const [month, file, slot] = paper.where.split("/");
    const name = `${folder}${month}/${file}.json.gz`;
    if (!byFile.has(name)) byFile.set(name, []);
    byFile.get(name).push({ id: paper.id, slot: Number(slot) });
  }
  const options = { stopwords: base.lexicon.stopwords };
  await Promise.all([...byFile].map(async ([name, wanted]) => {
    let entries;
    try {
      entries = await fetchJson(name);
    } catch (error) {
      post({ type: "snippets", id, snippets: Object.fromEntries(wanted.map((w) => [w.id, null])),
             error: String(error && error.message || error) });
      return;
    }
    const out = {};
    for (const { id: paperId, slot } of wanted) {
      const entry = entries[slot] && entries[slot].id === paperId ? entries[slot] : entries.find((e) => e.id === paperId);
      out[paperId] = entry ? snippet(entry.abstract, query || "", options) : null;
    }
    post({ type: "snippets", id, snippets: out });
  }));
}

async function rowOf(paper) {
  const firsts = base.directory.ifirsts;
  let low = 0, high = firsts.length - 1, chunk = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (compareStrings(firsts[mid], paper) <= 0) { chunk = mid; low = mid + 1; } else high = mid - 1;
  }
  if (chunk < 0) return undefined;
  const { ids, rows } = await fetchJson(chunkName("i", chunk));
  const at = ids.indexOf(paper);
  return at < 0 ? undefined : rows[at];
}

async function like({ id, paper, k, filters }) {
  const started = performance.now();
  await baseReady;
  const row = await rowOf(paper);
  if (row === undefined) throw new Error(`paper ${paper} is not on this site`);
  const allowed = await allowedRows(filters);
  const size = manifest.chunks.like;
  const width = manifest.chunks.neighbours;
  const bytes = await fetchBytes(chunkName("n", Math.floor(row / size)));
  const table = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const near = Array.from(table.subarray((row % size) * width, (row % size + 1) * width))
    .filter((r) => r >= 0 && (!allowed || allowed[r])).slice(0, k);
  const [seed] = await hits([[row, 1]]);
  const found = await hits(near.map((r, i) => [r, 1 - i / Math.max(1, near.length)]));
  post({ type: "results", id, stage: "final", method: "like", seed: { id: seed.id, title: seed.title }, hits: found, ms: performance.now() - started });
}

self.onmessage = (event) => {
  const message = event.data;
  load();
  const run = message.type === "search" ? search : message.type === "like" ? like
    : message.type === "snippets" ? snippets : null;
  if (run) {
    if (run !== snippets) latest = message.id;
    run(message).catch((error) => post({ type: "error", id: message.id, message: String(error && error.message || error) }));
  } else if (message.type === "load") {
    baseReady.catch((error) => post({ type: "error", id: null, message: String(error && error.message || error) }));
  }
};
