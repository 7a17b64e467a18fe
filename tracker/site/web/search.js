// The search page (docs/search.md): reads the query and filters, asks the worker, shows the answers.
// Every string from the papers is put in with textContent, never as HTML.

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const $ = (id) => document.getElementById(id);
const input = $("atlas-search");
const form = $("atlas-search-form");
const method = $("atlas-search-method");
const since = $("atlas-search-since");
const until = $("atlas-search-until");
const modelSelect = $("atlas-search-model");
const statusLine = $("atlas-search-status");
const results = $("atlas-search-results");
const K = 20;
const METHOD_NAMES = { hybrid: "meaning + words", dense: "meaning", bm25: "words", like: "more like this" };

let models = {};
let request = 0;
let like = null;
let dataLoaded = false;
const timing = { start: performance.now(), firstAnswer: null, firstSemantic: null };
window.atlasSearchTiming = timing;

function kilobytes(bytes) {
  return Math.round(bytes / 1e3);
}

// the model asked for in the address, until the list of models has arrived
let wantedModel = new URLSearchParams(location.search).get("model");

function filters() {
  return { since: since.value || null, until: until.value || null, model: modelSelect.value || wantedModel || null };
}

function syncUrl() {
  const params = new URLSearchParams();
  if (like) params.set("like", like);
  // "query", not "q": the theme's own search dialog opens on any address carrying ?q= (and would cover this page)
  else if (input.value.trim()) params.set("query", input.value.trim());
  if (method.value !== "hybrid") params.set("method", method.value);
  for (const [key, value] of Object.entries(filters())) if (value) params.set(key, value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function run() {
  const query = input.value.trim();
  syncUrl();
  request += 1;
  // until this request's answer arrives, what is shown belongs to the previous one
  results.dataset.stage = "pending";
  if (like) {
    worker.postMessage({ type: "like", id: request, paper: like, k: K, filters: filters() });
  } else if (query) {
    worker.postMessage({ type: "search", id: request, query, method: method.value, k: K, filters: filters() });
  } else {
    results.replaceChildren();
    results.dataset.stage = "";
    statusLine.textContent = dataLoaded ? "Type a question or a topic, in your own words." : statusLine.textContent;
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function moreLikeThis(id) {
  const link = element("a", "atlas-hit__like", "More like this");
  link.href = `?like=${encodeURIComponent(id)}`;
  link.addEventListener("click", (event) => {
    event.preventDefault();
    like = id;
    run();
    window.scrollTo({ top: 0 });
  });
  return link;
}

function showHits(message) {
  const items = message.hits.map((hit) => {
    const item = element("li", "atlas-hit");
    item.dataset.arxivId = hit.id;
    item.dataset.score = hit.score.toFixed(6);
    item.dataset.models = hit.models.join(" ");
    item.dataset.published = hit.published;
    const title = element("a", "atlas-hit__title", hit.title);
    title.href = `https://arxiv.org/abs/${hit.id}`;
    const meta = element("p", "atlas-hit__meta");
    const date = element("time", null, hit.published);
    date.dateTime = hit.published;
    meta.append(date, ` · ${hit.authors}`);
    for (const modelId of hit.models) {
      const model = models[modelId];
      if (!model) continue;
      const chip = element("a", "atlas-chip", model.name);
      chip.href = model.page;
      meta.append(" ", chip);
    }
    meta.append(" · ", element("span", "atlas-hit__score", `score ${hit.score.toFixed(3)}`), " · ", moreLikeThis(hit.id));
    item.append(title, meta);
    return item;
  });
  results.replaceChildren(...items);
  results.dataset.stage = message.stage;
  results.dataset.method = message.method;
  const name = METHOD_NAMES[message.method] || message.method;
  if (message.method === "like") {
    statusLine.replaceChildren(`${message.hits.length} papers closest to `, element("q", null, message.seed.title),
      ` (${Math.round(message.ms)} ms). `);
  } else if (message.stage === "words") {
    statusLine.textContent = `${message.hits.length} word matches while the meaning search loads…`;
  } else {
    statusLine.textContent = message.hits.length
      ? `${message.hits.length} papers by ${name} (${Math.round(message.ms)} ms).`
      : "No paper matches these filters.";
    if (message.note) statusLine.textContent += ` Note: ${message.note}.`;
  }
}

worker.onmessage = (event) => {
  const message = event.data;
  if (message.type === "progress") {
    if (!results.childElementCount && results.dataset.stage === "pending") {
      statusLine.textContent = `Searching: ${kilobytes(message.loaded)} KB of search data fetched…`;
    }
  } else if (message.type === "ready" && message.what === "data") {
    dataLoaded = true;
    models = message.models;
    const byName = Object.entries(models).sort((a, b) => a[1].name.localeCompare(b[1].name));
    for (const [id, model] of byName) {
      const option = element("option", null, model.name);
      option.value = id;
      modelSelect.append(option);
    }
    if (wantedModel) modelSelect.value = wantedModel;
    wantedModel = null;
    if (!input.value.trim() && !like) statusLine.textContent = `${message.papers} papers ready. Type a question or a topic, in your own words.`;
  } else if (message.type === "results") {
    if (message.id !== request) return; // an older query's answer
    const now = performance.now() - timing.start;
    if (timing.firstAnswer === null) timing.firstAnswer = now;
    if (message.stage === "final" && timing.firstSemantic === null && message.method !== "bm25") timing.firstSemantic = now;
    showHits(message);
  } else if (message.type === "error") {
    statusLine.textContent = `Search is unavailable: ${message.message}`;
    results.dataset.stage = "error";
    console.warn("atlas search:", message.message);
  }
};

let typing = null;
input.addEventListener("input", () => {
  like = null;
  clearTimeout(typing);
  typing = setTimeout(run, 250);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  like = null;
  clearTimeout(typing);
  run();
});
for (const control of [method, since, until, modelSelect]) control.addEventListener("change", run);

const params = new URLSearchParams(location.search);
input.value = params.get("query") || "";
like = params.get("like");
if (params.get("method") && METHOD_NAMES[params.get("method")]) method.value = params.get("method");
since.value = params.get("since") || "";
until.value = params.get("until") || "";
statusLine.textContent = "Loading the search data…";
worker.postMessage({ type: "load" });
if (like || input.value.trim()) run();
