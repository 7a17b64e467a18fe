// The For-you page's data: the search bundle's files (tracker/site/search_bundle.py), fetched only as needed —
// the manifest, the list centroids and PQ codebooks, the id -> row tables of the library's papers, the codes files
// (manifest "codes", tracker/library/site_rank.py) of the chosen weeks and of the library's own rows, and the
// metadata of the papers shown. Every name but the manifest's carries its content's hash, so a cached copy is
// always right. Used by the page (foryou.js) and, with a file-reading fetch, by tests/js/foryou.mjs.
import {
  RESIDUAL_SCALE, ROW_CHUNK, chunksOf, compareStrings, decodeRows, dequantise, rank, scaledBooks, siteVector, weekRows,
} from "./foryou-rank.js";

const PARALLEL = 8; // files fetched at once

function align(n) {
  return n + (-n % 4 + 4) % 4;
}

async function inflate(bytes) {
  // a server that sent the file gzip-encoded has had the browser inflate it already
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function inBatches(items, run) {
  const out = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...await Promise.all(items.slice(i, i + PARALLEL).map(run)));
  return out;
}

export class ForYouData {
  /** `folder`: URL of the search bundle's folder; `fetcher`: fetch (the page's, or a test's). */
  constructor(folder, fetcher = (...args) => fetch(...args)) {
    this.folder = folder;
    this.fetcher = fetcher;
    this.files = new Map(); // name -> promise of inflated bytes
    this.fetched = []; // [name, bytes on the wire] in order, for tests and the page's status line
    this.ready = null;
  }

  fetchBytes(name) {
    if (!this.files.has(name)) {
      const promise = (async () => {
        const response = await this.fetcher(new URL(name, this.folder));
        if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`);
        const bytes = new Uint8Array(await response.arrayBuffer());
        this.fetched.push([name, bytes.length]);
        return name.endsWith(".gz") ? inflate(bytes) : bytes;
      })();
      promise.catch(() => this.files.delete(name)); // may be tried again
      this.files.set(name, promise);
    }
    return this.files.get(name);
  }

  async fetchJson(name) {
    return JSON.parse(new TextDecoder().decode(await this.fetchBytes(name)));
  }

  chunkName(kind, number) {
    const hashes = kind === "r" ? this.manifest.codes.hashes : this.directory[kind];
    return `${kind}/${number}.${hashes.slice(8 * number, 8 * number + 8)}.gz`;
  }

  /** The manifest, directory, centroids and codebooks (once). */
  load() {
    if (!this.ready) {
      this.ready = (async () => {
        const response = await this.fetcher(new URL("manifest.json", this.folder), { cache: "no-cache" });
        if (!response.ok) throw new Error(`the site has no search data (manifest.json: HTTP ${response.status})`);
        const manifest = await response.json();
        this.fetched.push(["manifest.json", Number(response.headers.get("content-length")) || 0]);
        if (!manifest.codes || !manifest.codes.weeks) throw new Error("the site's search data has no paper codes for For you (an older build)");
        this.manifest = manifest;
        const [directory, centroids, codebook] = await Promise.all([
          this.fetchJson(manifest.files.directory), this.fetchBytes(manifest.files.centroids),
          this.fetchBytes(manifest.files.codebook),
        ]);
        this.directory = directory;
        const rank = manifest.encoder.rank;
        const { count: lists, subspaces, pieces } = manifest.lists;
        const width = rank / subspaces;
        const size = lists * rank;
        const centroidCodes = new Int8Array(centroids.buffer, centroids.byteOffset, size);
        const centroidScales = new Float32Array(centroids.buffer.slice(centroids.byteOffset + align(size),
          centroids.byteOffset + align(size) + 4 * lists));
        const bookSize = subspaces * pieces * width;
        const bookCodes = new Int8Array(codebook.buffer, codebook.byteOffset, bookSize);
        const bookScales = new Float32Array(codebook.buffer.slice(codebook.byteOffset + align(bookSize),
          codebook.byteOffset + align(bookSize) + 4 * subspaces));
        this.shape = { rank, subspaces, pieces };
        this.centroids = dequantise(centroidCodes, centroidScales, rank);
        this.books = scaledBooks(dequantise(bookCodes, bookScales, pieces * width), manifest.codes.residual_scale ?? RESIDUAL_SCALE);
      })();
      this.ready.catch(() => { this.ready = null; });
    }
    return this.ready;
  }

  get weeks() {
    return this.manifest.codes.weeks;
  }

  /** Map id -> site row for the ids the site has (the id tables, "i/" files). */
  async rowsOf(ids) {
    const firsts = this.directory.ifirsts;
    const byChunk = new Map();
    for (const id of ids) {
      let low = 0, high = firsts.length - 1, chunk = -1;
      while (low <= high) {
        const mid = (low + high) >> 1;
        if (compareStrings(firsts[mid], id) <= 0) { chunk = mid; low = mid + 1; } else high = mid - 1;
      }
      if (chunk < 0) continue;
      if (!byChunk.has(chunk)) byChunk.set(chunk, []);
      byChunk.get(chunk).push(id);
    }
    const out = new Map();
    await inBatches([...byChunk], async ([chunk, wanted]) => {
      const table = await this.fetchJson(this.chunkName("i", chunk));
      const at = new Map(table.ids.map((id, i) => [id, table.rows[i]]));
      for (const id of wanted) if (at.has(id)) out.set(id, at.get(id));
    });
    return out;
  }

  /** Float32Array vector of each row (the codes files holding them, "r/"). */
  async vectors(rows) {
    const { subspaces } = this.shape;
    const decoded = new Map();
    await inBatches(chunksOf(rows), async (chunk) => {
      decoded.set(chunk, decodeRows(await this.fetchBytes(this.chunkName("r", chunk)), subspaces));
    });
    return Array.from(rows, (row) => {
      const { lists, codes } = decoded.get(Math.floor(row / ROW_CHUNK));
      const at = row % ROW_CHUNK;
      return siteVector(lists[at], codes.subarray(at * subspaces, (at + 1) * subspaces), this.centroids, this.books, this.shape);
    });
  }

  /** Map row -> {id, title, authors, published, models, topics, where, artifacts} (the metadata files, "p/"). */
  async meta(rows) {
    const size = this.manifest.chunks.meta;
    const out = new Map();
    await inBatches([...new Set(Array.from(rows, (r) => Math.floor(r / size)))], async (chunk) => {
      const papers = await this.fetchJson(this.chunkName("p", chunk));
      papers.forEach(([id, title, authors, published, models, topics = [], where = null, artifacts = []], i) => {
        out.set(chunk * size + i, { id, title, authors, published, models, topics, where, artifacts });
      });
    });
    return new Map(Array.from(rows, (r) => [r, out.get(r)]));
  }

  /** The For-you list for a library (arXiv ids): {ranked: [{row, score, because}], libraryRows: Map id -> row,
   *  missing: [ids the site lacks], window: [first, end) rows, candidates}. `weeks`: the newest n weeks, null: all.
   *  `pause` and `progress`: see foryou-rank.js rank. */
  async recommend(ids, { weeks = 4, k = 20, method, pause = null, progress = null } = {}) {
    await this.load();
    const libraryRows = await this.rowsOf(ids);
    const missing = ids.filter((id) => !libraryRows.has(id));
    const [first, end] = weekRows(this.weeks, weeks);
    const candidateRows = new Uint32Array(end - first).map((_, i) => first + i);
    const ownRows = [...libraryRows.values()];
    // the window's codes files and the library's own, asked for at once; scored as they are needed
    for (const chunk of chunksOf([...chunksOf(candidateRows).map((c) => c * ROW_CHUNK), ...ownRows])) {
      this.fetchBytes(this.chunkName("r", chunk)).catch(() => {}); // a failure is reported where it is awaited
    }
    const libraryVectors = await this.vectors(ownRows);
    const ranked = await rank(candidateRows, ownRows, libraryVectors, (rows) => this.vectors(rows), k,
                              { rank: this.shape.rank, method, pause, progress });
    return { ranked, libraryRows, missing, window: [first, end], candidates: end - first };
  }
}
