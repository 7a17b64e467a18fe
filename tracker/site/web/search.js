// The search page (docs/search.md): reads the query and filters, asks the worker, shows the answers.
// Every string from the papers is put in with textContent, never as HTML.
//
// Each result: title (arXiv), date, authors, model and topic chips, a link to its entry on its month page, and a
// snippet of its abstract (the sentence that best matches the query, its words in <mark>), filled in when the
// abstract's file arrives. A query with no indexable word, a query whose best paper is under the measured floor
// ("no good match"), a query not in English and reversed dates each get their own message.

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
const $ = (id) => document.getElementById(id);
const input = $("atlas-search");
const form = $("atlas-search-form");
const method = $("atlas-search-method");
const since = $("atlas-search-since");
const until = $("atlas-search-until");
const modelSelect = $("atlas-search-model");
// "with code", "with weights", "with data": toggle buttons; a paper must name every kind pressed
const hasChips = [...document.querySelectorAll(".atlas-search__chip[data-has]")];
const ARTIFACT_NAMES = { code: "Code", weights: "Weights", data: "Data", project: "Project page" };
const statusLine = $("atlas-search-status");
const results = $("atlas-search-results");
const K = 20;
const WEAK_SHOWN = 5; // under the floor: the nearest few, marked as weak matches
const TOPICS_SHOWN = 3;
const METHOD_NAMES = { hybrid: "meaning + words", dense: "meaning", bm25: "words", like: "more like this" };

let models = {};
let topics = {};
let entries = null; // {page_size, first, later}: a paper's entry on its month page
let abstractChunk = null;
let snippetSlots = new Map(); // paper id -> the snippet paragraph of the shown result
// Snippets are asked for as results come near the screen: 20 results' abstracts are up to 20 files (~11 KB each,
// results spread over months), and a reader often looks at the first few only.
let snippetAsk = null; // {query, hits: Map(id -> hit)} of the shown answer
const nearScreen = "IntersectionObserver" in window
  ? new IntersectionObserver(askSnippets, { rootMargin: "400px 0px" }) : null;
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

function pressedKinds() {
  return hasChips.filter((chip) => chip.getAttribute("aria-pressed") === "true").map((chip) => chip.dataset.has);
}

function filters() {
  const has = pressedKinds();
  return { since: since.value || null, until: until.value || null, model: modelSelect.value || wantedModel || null,
           has: has.length ? has : null };
}

function syncUrl() {
  const params = new URLSearchParams();
  if (like) params.set("like", like);
  // "query", not "q": the theme's own search dialog opens on any address carrying ?q= (and would cover this page)
  else if (input.value.trim()) params.set("query", input.value.trim());
  if (method.value !== "hybrid") params.set("method", method.value);
  for (const [key, value] of Object.entries(filters())) if (value) params.set(key, Array.isArray(value) ? value.join(",") : value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

function reversedDates() {
  const { since: from, until: to } = filters();
  return from && to && from > to ? { from, to } : null;
}

function swapDates() {
  [since.value, until.value] = [until.value, since.value];
  run();
}

function run() {
  const query = input.value.trim();
  syncUrl();
  request += 1;
  forgetSnippets();
  const reversed = reversedDates();
  if (reversed && (like || query)) {
    // nothing can be between them: say so, and offer the dates the other way round
    results.replaceChildren();
    results.dataset.stage = "reversed";
    const swap = element("button", "atlas-search__swap md-button", "Swap the dates");
    swap.type = "button";
    swap.addEventListener("click", swapDates);
    statusLine.replaceChildren(
      element("span", "atlas-search__note", `The dates are reversed: “from” (${reversed.from}) is after “to” `
        + `(${reversed.to}), so no day is between them. `), swap);
    statusLine.dataset.note = "reversed-dates";
    return;
  }
  statusLine.dataset.note = "";
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

/** The link from this page to a paper's entry (abstract, BibTeX) on its month page, from its abstract's address. */
function entryLink(hit) {
  if (!entries || !abstractChunk || !hit.where) return null;
  const [month, file, slot] = hit.where.split("/");
  const page = Math.floor((Number(file) * abstractChunk + Number(slot)) / entries.page_size) + 1;
  const path = page === 1 ? entries.first.replace("{month}", month)
    : entries.later.replace("{month}", month).replace("{page}", String(page));
  const link = element("a", "atlas-hit__entry", "Abstract & BibTeX");
  link.href = `${path}#paper-${hit.id}`;
  return link;
}

function hitItem(hit, weak) {
  const item = element("li", weak ? "atlas-hit atlas-hit--weak" : "atlas-hit");
  item.dataset.arxivId = hit.id;
  item.dataset.score = hit.score.toFixed(6);
  item.dataset.models = hit.models.join(" ");
  item.dataset.topics = (hit.topics || []).join(" ");
  item.dataset.published = hit.published;
  const title = element("a", "atlas-hit__title", hit.title);
  title.href = `https://arxiv.org/abs/${hit.id}`;
  const meta = element("p", "atlas-hit__meta");
  if (weak) meta.append(element("strong", "atlas-hit__weak", "Weak match"), " · ");
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
  for (const topicId of (hit.topics || []).slice(0, TOPICS_SHOWN)) {
    const topic = topics[topicId];
    if (!topic) continue;
    const chip = element("a", "atlas-chip atlas-chip--topic", topic.name);
    chip.href = topic.page;
    meta.append(" ", chip);
  }
  meta.append(" · ", element("span", "atlas-hit__score", `score ${hit.score.toFixed(3)}`), " · ", moreLikeThis(hit.id));
  const entry = entryLink(hit);
  if (entry) meta.append(" · ", entry);
  const badges = artifactBadges(hit.artifacts || []);
  if (badges.length) meta.append(" ", ...badges);
  const text = element("p", "atlas-hit__snippet");
  text.dataset.state = "pending";
  snippetSlots.set(hit.id, text);
  item.append(title, meta, text);
  return item;
}

/** One badge per kind of link the paper gives (its first address of that kind), as on the site's lists. The
 *  addresses come from the paper's text: only http(s) ones become links, put in as attributes, never as HTML. */
function artifactBadges(artifacts) {
  const seen = new Set();
  const badges = [];
  for (const [kind, url] of artifacts) {
    if (seen.has(kind) || !ARTIFACT_NAMES[kind] || !/^https?:\/\//.test(url)) continue;
    seen.add(kind);
    const badge = element("a", `atlas-badge atlas-badge--${kind}`, kind);
    badge.href = url;
    badge.rel = "nofollow";
    badge.title = `${ARTIFACT_NAMES[kind]}: ${url}`;
    badges.push(badge);
  }
  return badges;
}

function forgetSnippets() {
  snippetSlots = new Map();
  snippetAsk = null;
  if (nearScreen) nearScreen.disconnect();
}

function askSnippets(entries) {
  if (!snippetAsk) return;
  const papers = [];
  for (const entry of entries) {
    if (!entry.isIntersecting) continue;
    nearScreen.unobserve(entry.target);
    const hit = snippetAsk.hits.get(entry.target.dataset.arxivId);
    if (hit) papers.push({ id: hit.id, where: hit.where });
  }
  if (papers.length) worker.postMessage({ type: "snippets", id: request, query: snippetAsk.query, papers });
}

function fillSnippets(found) {
  for (const [paperId, made] of Object.entries(found)) {
    const slot = snippetSlots.get(paperId);
    if (!slot) continue;
    if (!made) {
      slot.dataset.state = "missing";
      continue;
    }
    slot.replaceChildren(...made.parts.map(([text, marked]) => (marked ? element("mark", null, text) : text)));
    slot.dataset.state = "ready";
    slot.dataset.matched = String(made.matched);
  }
  if (![...snippetSlots.values()].some((slot) => slot.dataset.state === "pending")) results.dataset.snippets = "ready";
}

function note(kind, text) {
  const span = element("span", "atlas-search__note", text);
  span.dataset.note = kind;
  return span;
}

const LANGUAGE_NOTE = "The search reads the papers' English titles and abstracts; a query in another language finds "
  + "little. Try it in English.";

/** Under the floor measured for this store's size (scripts/measure_search_floor.py), or most of the query's words in
 *  no paper: the nearest papers are not answers. */
function noGoodMatch({ strength, floor, words, known }) {
  const under = typeof strength === "number" && typeof floor === "number" && strength < floor;
  return under || (typeof known === "number" && 2 * known < words);
}

function showHits(message) {
  const query = input.value.trim();
  const name = METHOD_NAMES[message.method] || message.method;
  // said first: it explains what follows
  const notes = message.notEnglish && message.method !== "like" ? [note("language", LANGUAGE_NOTE), " "] : [];
  forgetSnippets();
  results.dataset.stage = message.stage;
  results.dataset.method = message.method;
  results.dataset.snippets = "";
  if (message.method !== "like" && message.words === 0) {
    // "???", "the of and": nothing the index knows; whatever the meaning search returned would be arbitrary
    results.replaceChildren();
    results.dataset.match = "no-words";
    statusLine.replaceChildren(note("no-words", `Nothing to search for in “${query}”: the search skips punctuation `
      + "and very common words (the, of, and …). Describe a topic in a few words, e.g. “speculative decoding”."));
    return;
  }
  const weak = message.stage === "final" && message.hits.length > 0 && message.method !== "like"
    && message.method !== "bm25" && noGoodMatch(message);
  const shown = weak ? message.hits.slice(0, WEAK_SHOWN) : message.hits;
  results.replaceChildren(...shown.map((hit) => hitItem(hit, weak)));
  results.dataset.match = weak ? "weak" : message.hits.length ? "good" : "none";
  results.dataset.strength = typeof message.strength === "number" ? message.strength.toFixed(4) : "";
  results.dataset.floor = typeof message.floor === "number" ? String(message.floor) : "";
  results.dataset.known = message.method === "like" ? "" : `${message.known}/${message.words}`;
  if (message.method === "like") {
    statusLine.replaceChildren(`${message.hits.length} papers closest to `, element("q", null, message.seed.title),
      ` (${Math.round(message.ms)} ms). `);
  } else if (weak) {
    statusLine.replaceChildren(...notes, note("floor", `No good match for “${query}”: no paper is close to it. The `
      + `${shown.length} nearest, all weak matches:`));
  } else if (message.stage === "words") {
    statusLine.replaceChildren(...notes, `${message.hits.length} word matches while the meaning search loads…`);
  } else {
    const filtered = Object.values(filters()).some(Boolean);
    const empty = filtered ? "No paper matches these filters." : "No paper contains these words.";
    statusLine.replaceChildren(...notes, message.hits.length
      ? `${message.hits.length} papers by ${name} (${Math.round(message.ms)} ms).` : empty);
    if (message.note) statusLine.append(` Note: ${message.note}.`);
  }
  if (message.stage === "final" && shown.length) {
    const snippetQuery = message.method === "like" ? "" : query;
    if (nearScreen) {
      snippetAsk = { query: snippetQuery, hits: new Map(shown.map((hit) => [hit.id, hit])) };
      for (const item of results.children) nearScreen.observe(item);
    } else {
      worker.postMessage({ type: "snippets", id: request, query: snippetQuery,
                           papers: shown.map((hit) => ({ id: hit.id, where: hit.where })) });
    }
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
    topics = message.topics || {};
    entries = message.entries;
    abstractChunk = message.abstractChunk;
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
  } else if (message.type === "snippets") {
    if (message.id === request) fillSnippets(message.snippets);
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
for (const chip of hasChips) {
  chip.addEventListener("click", () => {
    chip.setAttribute("aria-pressed", chip.getAttribute("aria-pressed") === "true" ? "false" : "true");
    run();
  });
}

const params = new URLSearchParams(location.search);
input.value = params.get("query") || "";
like = params.get("like");
if (params.get("method") && METHOD_NAMES[params.get("method")]) method.value = params.get("method");
since.value = params.get("since") || "";
until.value = params.get("until") || "";
const hasWanted = new Set((params.get("has") || "").split(",").filter(Boolean));
for (const chip of hasChips) chip.setAttribute("aria-pressed", String(hasWanted.has(chip.dataset.has)));
statusLine.textContent = "Loading the search data…";
worker.postMessage({ type: "load" });
if (like || input.value.trim()) run();
