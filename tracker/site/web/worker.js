// The search page's worker: loads the site's search data lazily, embeds queries with the ONNX model
// (onnxruntime-web, WebAssembly, one thread) and ranks papers off the page's main thread.
//
// Messages in:  {type: "load"} | {type: "search", id, query, method, k, filters} | {type: "like", id, paper, k, filters}
// Messages out: {type: "progress", loaded, total, phase} | {type: "ready", what: "data", models, papers}
//               {type: "results", id, stage: "words" | "final", method, hits, ms} | {type: "error", id, message}
import * as ort from "onnxruntime-web/wasm";
import { WordPieceTokenizer } from "./tokenizer.js";
import { Lexical, denseScores, rankRows, topRows } from "./ranking.js";

const here = new URL("./", import.meta.url);
let manifest = null;
let data = null; // {papers, models, codes, scales, lexical, dimension, row}
let encoder = null; // {session, tokenizer}
let dataReady = null;
let modelReady = null;
let latest = null; // id of the newest request: a query waiting for the model answers only if still newest
const progress = { loaded: 0, total: 0 };

function post(message) {
  self.postMessage(message);
}

async function fetchBytes(name) {
  const url = new URL(`${name}?v=${manifest.digest}`, here);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
  const length = Number(response.headers.get("content-length")) || 0;
  if (!response.body) {
    const whole = new Uint8Array(await response.arrayBuffer());
    progress.loaded += whole.length;
    return name.endsWith(".gz") ? inflate(whole) : whole;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    progress.loaded += value.length;
    post({ type: "progress", loaded: progress.loaded, total: progress.total, phase: name });
  }
  if (length && received !== length && !response.headers.get("content-encoding")) {
    throw new Error(`${name}: received ${received} of ${length} bytes`);
  }
  const out = new Uint8Array(received);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return name.endsWith(".gz") ? inflate(out) : out;
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function fetchJson(name) {
  return JSON.parse(new TextDecoder().decode(await fetchBytes(name)));
}

async function loadManifest() {
  const response = await fetch(new URL("manifest.json", here), { cache: "no-cache" });
  if (!response.ok) throw new Error(`the site has no search data (manifest.json: HTTP ${response.status})`);
  manifest = await response.json();
  progress.total = manifest.fetched.reduce((sum, name) => sum + (manifest.bytes[name] || 0), 0);
}

async function loadData() {
  const [papers, vectors, lexicalBlob, lexicalMeta] = await Promise.all([
    fetchJson(manifest.papers_file), fetchBytes(manifest.vectors.file), fetchBytes(manifest.lexical.file),
    fetchJson(manifest.lexical.meta),
  ]);
  const count = papers.papers.length;
  if (count !== manifest.papers || vectors.length !== count * manifest.dimension) {
    throw new Error(`search data of two builds are mixed (${count} papers, ${vectors.length} vector bytes)`);
  }
  data = {
    papers: papers.papers,
    models: papers.models,
    codes: new Int8Array(vectors.buffer, vectors.byteOffset, vectors.length),
    scales: Float32Array.from(manifest.vectors.scales),
    lexical: new Lexical(lexicalMeta, lexicalBlob.buffer.slice(lexicalBlob.byteOffset, lexicalBlob.byteOffset + lexicalBlob.length), count),
    dimension: manifest.dimension,
    row: new Map(papers.papers.map((p, row) => [p[0], row])),
  };
  post({ type: "ready", what: "data", models: data.models, papers: count });
}

async function loadModel() {
  const [model, vocab, wasm] = await Promise.all([
    fetchBytes(manifest.model.file), fetchBytes(manifest.model.vocab), fetchBytes(manifest.model.runtime),
  ]);
  ort.env.wasm.numThreads = 1; // GitHub Pages cannot send the headers that threads need
  ort.env.wasm.proxy = false; // already in a worker
  ort.env.wasm.wasmBinary = wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.length);
  const session = await ort.InferenceSession.create(model, { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
  const tokenizer = WordPieceTokenizer.fromText(new TextDecoder().decode(vocab), { maxTokens: manifest.model.max_tokens });
  encoder = { session, tokenizer };
}

function load() {
  if (!dataReady) {
    const started = loadManifest();
    dataReady = started.then(loadData);
    modelReady = started.then(loadModel);
    // a failure is reported with the request that waits on it; keep unhandled rejections quiet here
    dataReady.catch(() => {});
    modelReady.catch(() => {});
  }
}

async function embed(query) {
  const ids = encoder.tokenizer.encode(query);
  const shape = [1, ids.length];
  const feeds = {
    input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, BigInt), shape),
    attention_mask: new ort.Tensor("int64", new BigInt64Array(ids.length).fill(1n), shape),
    token_type_ids: new ort.Tensor("int64", new BigInt64Array(ids.length), shape),
  };
  const output = await encoder.session.run(feeds);
  return output[manifest.model.output].data;
}

function allowedRows(filters) {
  const { since, until, model } = filters || {};
  if (!since && !until && !model) return null;
  return Uint8Array.from(data.papers, (p) =>
    (!since || p[3] >= since) && (!until || p[3] <= until) && (!model || p[4].includes(model)) ? 1 : 0);
}

function hits(ranked, exclude = null, k = ranked.length) {
  return ranked
    .filter(([row]) => data.papers[row][0] !== exclude)
    .slice(0, k)
    .map(([row, score]) => {
      const [id, title, authors, published, models] = data.papers[row];
      return { id, title, authors, published, models, score };
    });
}

async function search({ id, query, method, k, filters }) {
  const started = performance.now();
  await dataReady;
  const allowed = allowedRows(filters);
  const lexical = data.lexical.scores(query);
  const settings = { k, lexical, allowed, alpha: manifest.search.alpha, depth: manifest.search.depth };
  if (method === "bm25") {
    post({ type: "results", id, stage: "final", method, hits: hits(rankRows({ ...settings, method })), ms: performance.now() - started });
    return;
  }
  if (!encoder) {
    // word matches now; the answer by meaning follows as soon as the model has arrived
    const words = hits(rankRows({ ...settings, method: "bm25" }));
    post({ type: "results", id, stage: "words", method: "bm25", hits: words, ms: performance.now() - started });
    try {
      await modelReady;
    } catch (error) {
      // no model (a failed download, an old browser): the word matches are the answer, and the page says why
      post({ type: "results", id, stage: "final", method: "bm25", hits: words, ms: performance.now() - started,
             note: `answers by words only: the language model did not load (${error && error.message || error})` });
      return;
    }
    if (latest !== id) return; // a newer query replaced this one
  }
  const vector = await embed(query);
  const dense = denseScores(vector, data.codes, data.scales, data.papers.length, data.dimension);
  post({ type: "results", id, stage: "final", method, hits: hits(rankRows({ ...settings, method, dense })), ms: performance.now() - started });
}

async function like({ id, paper, k, filters }) {
  const started = performance.now();
  await dataReady;
  const row = data.row.get(paper);
  if (row === undefined) throw new Error(`paper ${paper} is not on this site`);
  const dimension = data.dimension;
  const vector = Float32Array.from(data.codes.subarray(row * dimension, (row + 1) * dimension), (c, d) => c * data.scales[d]);
  const dense = denseScores(vector, data.codes, data.scales, data.papers.length, dimension);
  const ranked = topRows(dense, k + 1, allowedRows(filters)).map((r) => [r, dense[r]]);
  const [seedId, title] = data.papers[row];
  post({ type: "results", id, stage: "final", method: "like", seed: { id: seedId, title }, hits: hits(ranked, paper, k), ms: performance.now() - started });
}

self.onmessage = (event) => {
  const message = event.data;
  load();
  const run = message.type === "search" ? search : message.type === "like" ? like : null;
  if (run) {
    latest = message.id;
    run(message).catch((error) => post({ type: "error", id: message.id, message: String(error && error.message || error) }));
  } else if (message.type === "load") {
    Promise.all([dataReady, modelReady]).catch((error) => post({ type: "error", id: null, message: String(error && error.message || error) }));
  }
};
