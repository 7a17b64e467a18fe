// The For-you page (docs/for-you.md): the newest weeks' papers ranked by meaning against the reader's library
// (docs/assets/javascripts/library.js keeps it in localStorage), or against the papers a shared link carries
// (?papers=ID,ID), each with the library papers it is closest to. Computed here, from the search data's static
// files (foryou-data.js); nothing about the library is sent anywhere. Ranks as `llm-atlas recommend --method site`.
// Every string from the papers is put in with textContent, never as HTML.
import { ForYouData } from "./foryou-data.js";

const SHOWN = 20; // results shown at first, and added by "Show more"
const RANKED = 100; // ranked at once (the vectors are in memory: showing more costs only the metadata)
const WEEK_CHOICES = ["1", "2", "4", "8", "12", "all"];
const ARTIFACT_NAMES = { code: "Code", weights: "Weights", data: "Data", project: "Project page" };
const $ = (id) => document.getElementById(id);
const statusLine = $("atlas-foryou-status");
const results = $("atlas-foryou-results");
const weeksSelect = $("atlas-foryou-weeks");
const sharedBox = $("atlas-foryou-shared");
const more = $("atlas-foryou-more");
const library = globalThis.atlasLibrary;
const data = new ForYouData(new URL("./", import.meta.url));
const timing = { start: performance.now(), first: null };
window.atlasForYouTiming = timing;

let models = null; // {id: {name, page}} (the search data's models file)
let entries = null; // a paper's entry on its month page (manifest "entries")
let current = null; // {ranked, meta: Map row -> paper, shown, reasons: Map row -> title}
let request = 0;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function link(text, href, className) {
  const node = element("a", className, text);
  node.href = href;
  return node;
}

function plural(count, word) {
  return `${count.toLocaleString("en")} ${word}${count === 1 ? "" : "s"}`;
}

/** The ids a shared link carries (?papers=…, or #papers=…), and its junk. */
function sharedIds() {
  const params = new URLSearchParams(location.search);
  const hash = new URLSearchParams(location.hash.slice(1));
  const raw = params.get("papers") ?? hash.get("papers");
  if (raw === null) return null;
  const ids = [], junk = [];
  for (const part of raw.split(/[,\s]+/)) {
    if (!part) continue;
    const id = library.arxivId(part);
    if (id && !ids.includes(id)) ids.push(id);
    else if (!id) junk.push(part.length > 40 ? `${part.slice(0, 39)}…` : part);
  }
  return { ids, junk };
}

function chosenWeeks() {
  return weeksSelect.value === "all" ? null : Number(weeksSelect.value);
}

function syncUrl() {
  const params = new URLSearchParams(location.search);
  if (weeksSelect.value === "4") params.delete("weeks");
  else params.set("weeks", weeksSelect.value);
  const query = params.toString();
  history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

function entryLink(paper) {
  if (!entries || !data.manifest.abstracts || !paper.where) return null;
  const [month, file, slot] = paper.where.split("/");
  const page = Math.floor((Number(file) * data.manifest.abstracts.chunk + Number(slot)) / entries.page_size) + 1;
  const path = page === 1 ? entries.first.replace("{month}", month)
    : entries.later.replace("{month}", month).replace("{page}", String(page));
  // the manifest's links are written from the search page (site/search/), a sibling of this page's folder
  return link("Abstract & BibTeX", `${path}#paper-${paper.id}`, "atlas-hit__entry");
}

/** A badge per kind of link the paper gives (its first address of that kind), as the search page's results show
 *  them (search.js): only http(s) addresses become links, put in as attributes. */
function artifactBadges(artifacts) {
  const seen = new Set();
  const badges = [];
  for (const [kind, url] of artifacts) {
    if (seen.has(kind) || !ARTIFACT_NAMES[kind] || typeof url !== "string" || !/^https?:\/\//.test(url)) continue;
    seen.add(kind);
    const badge = link(kind, url, `atlas-badge atlas-badge--${kind}`);
    badge.rel = "nofollow";
    badge.title = `${ARTIFACT_NAMES[kind]}: ${url}`;
    badges.push(badge);
  }
  return badges;
}

function resultItem(found, paper, reasons) {
  const item = element("li", "atlas-hit");
  item.dataset.arxivId = paper.id;
  item.dataset.score = found.score.toFixed(6);
  item.dataset.published = paper.published;
  item.dataset.because = found.because.map((row) => reasons.get(row).id).join(" ");
  const title = link(paper.title, `https://arxiv.org/abs/${paper.id}`, "atlas-hit__title");
  const meta = element("p", "atlas-hit__meta");
  const date = element("time", null, paper.published);
  date.dateTime = paper.published;
  meta.append(date, ` · ${paper.authors}`);
  for (const modelId of paper.models) {
    const model = models && models[modelId];
    if (model) meta.append(" ", link(model.name, model.page, "atlas-chip"));
  }
  meta.append(" · ", element("span", "atlas-hit__score", `score ${found.score.toFixed(3)}`), " · ",
    link("More like this", `../search/?like=${encodeURIComponent(paper.id)}`, "atlas-hit__like"));
  const entry = entryLink(paper);
  if (entry) meta.append(" · ", entry);
  const badges = artifactBadges(paper.artifacts || []);
  if (badges.length) meta.append(" ", ...badges);
  const why = element("p", "atlas-hit__why");
  why.append("Close to your: ");
  found.because.forEach((row, i) => {
    if (i) why.append(" and ");
    why.append(element("q", null, reasons.get(row).title));
  });
  item.append(title, meta, why);
  return item;
}

async function show(count) {
  const { ranked, meta } = current;
  const rows = ranked.slice(0, count).map((r) => r.row).filter((row) => !meta.has(row));
  if (rows.length) for (const [row, paper] of await data.meta(rows)) meta.set(row, paper);
  current.shown = Math.min(count, ranked.length);
  results.replaceChildren(...ranked.slice(0, current.shown).map((r) => resultItem(r, meta.get(r.row), current.reasons)));
  more.hidden = current.shown >= ranked.length;
}

/** Lets the page answer (scrolling, clicks) between blocks of a long ranking ("all time", a big library). */
function breathe() {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

function emptyLibrary() {
  results.replaceChildren();
  results.dataset.stage = "empty";
  statusLine.replaceChildren(
    "Your library is empty, so there is nothing to rank against yet. Press ☆ beside any paper you like (on ",
    link("the month pages", "../generated/papers/"), ", every list, the ", link("search", "../search/"),
    " results), or import a BibTeX file or a list of arXiv ids on ", link("your Library page", "../library/"),
    "; then this page lists the newest papers closest to yours.");
}

async function run() {
  const id = ++request;
  syncUrl();
  const shared = sharedIds();
  const papers = shared ? shared.ids.map((paperId) => library.get(paperId) || { id: paperId }) : library.papers();
  sharedBox.hidden = !shared;
  if (shared) showShared(shared);
  if (!papers.length) {
    if (shared) {
      results.replaceChildren();
      results.dataset.stage = "empty";
      statusLine.textContent = "The link carries no arXiv id, so there is nothing to rank against.";
    } else emptyLibrary();
    return;
  }
  results.dataset.stage = "pending";
  statusLine.textContent = `Ranking the newest papers against ${plural(papers.length, "paper")}…`;
  const started = performance.now();
  let found;
  try {
    await data.load();
    if (!models) {
      models = await data.fetchJson(data.manifest.files.models).catch(() => ({}));
      entries = data.manifest.entries || null;
    }
    found = await data.recommend(papers.map((p) => p.id), {
      weeks: chosenWeeks(), k: RANKED, pause: breathe,
      progress: (done, total) => {
        if (id === request && total > done) statusLine.textContent = `Ranking ${plural(total, "paper")}: ${Math.round(100 * done / total)} %…`;
      },
    });
  } catch (error) {
    if (id !== request) return;
    results.replaceChildren();
    results.dataset.stage = "error";
    statusLine.textContent = `For you is unavailable: ${error && error.message || error}`;
    return;
  }
  if (id !== request) return;
  const { ranked, libraryRows, missing, candidates } = found;
  // the titles the reasons name: the library's own, else the site's (a shared link, an import by id)
  const reasons = new Map();
  const byRow = new Map([...libraryRows].map(([paperId, row]) => [row, paperId]));
  const needed = new Set(ranked.flatMap((r) => r.because));
  const unknown = [];
  for (const row of needed) {
    const paper = papers.find((p) => p.id === byRow.get(row));
    if (paper && paper.title) reasons.set(row, { id: paper.id, title: paper.title });
    else unknown.push(row);
  }
  if (!libraryRows.size) {
    results.replaceChildren();
    results.dataset.stage = "none";
    statusLine.textContent = `None of the ${plural(papers.length, "paper")} is on this site (it holds LLM papers `
      + "from arXiv since its store began), so there is nothing to compare the new papers with.";
    return;
  }
  current = { ranked, meta: new Map(), shown: 0, reasons };
  if (unknown.length) for (const [row, paper] of await data.meta(unknown)) reasons.set(row, { id: paper.id, title: paper.title });
  await show(SHOWN);
  if (id !== request) return;
  results.dataset.stage = "final";
  const span = chosenWeeks() === null ? "all the site's papers"
    : `the papers of the newest ${chosenWeeks() === 1 ? "week" : `${chosenWeeks()} weeks`}`;
  const words = [`${ranked.length ? `The ${Math.min(RANKED, ranked.length)} closest` : "No paper"} of ${span} `
    + `(${plural(candidates, "paper")}) to ${shared ? "the shared library" : "your library"}'s `
    + `${plural(libraryRows.size, "paper")}, closest first (${Math.round(performance.now() - started)} ms).`];
  if (missing.length) {
    words.push(` ${plural(missing.length, "paper")} of it ${missing.length === 1 ? "is" : "are"} not on this site and `
      + "did not count.");
  }
  statusLine.replaceChildren(...words);
  if (timing.first === null) timing.first = performance.now() - timing.start;
}

function showShared({ ids, junk }) {
  const own = new Set(library.papers().map((p) => p.id));
  const fresh = ids.filter((paperId) => !own.has(paperId));
  const parts = [`This list is for a shared library of ${plural(ids.length, "paper")}, not for yours. `];
  if (junk.length) {
    parts.push(`${plural(junk.length, "part")} of the link ${junk.length === 1 ? "is" : "are"} not an arXiv id and `
      + `${junk.length === 1 ? "was" : "were"} left out: `, element("code", null, junk.slice(0, 10).join(", ")),
      junk.length > 10 ? ` and ${junk.length - 10} more. ` : ". ");
  }
  if (fresh.length) {
    const save = element("button", "md-button atlas-foryou__more", `Add ${fresh.length === ids.length ? "them" : `the ${fresh.length} new ones`} to your library`);
    save.type = "button";
    save.addEventListener("click", async () => {
      save.disabled = true;
      const rows = await data.rowsOf(fresh).catch(() => new Map());
      const known = rows.size ? await data.meta([...rows.values()]).catch(() => new Map()) : new Map();
      const byId = new Map([...known.values()].filter(Boolean).map((p) => [p.id, p]));
      library.add(fresh.map((paperId) => {
        const paper = byId.get(paperId);
        return paper ? { id: paperId, title: paper.title, date: paper.published, authors: paper.authors } : { id: paperId };
      }));
      save.replaceWith(element("span", null, `Added ${plural(fresh.length, "paper")} to your library. `));
    });
    parts.push(save, " ");
  } else if (ids.length) parts.push("All of them are in your library already. ");
  parts.push(link("Papers for your own library", location.pathname));
  sharedBox.replaceChildren(element("p", null, ""));
  sharedBox.firstChild.append(...parts);
  sharedBox.dataset.junk = String(junk.length);
}

more.addEventListener("click", () => {
  if (current) show(current.shown + SHOWN);
});
weeksSelect.addEventListener("change", run);
const asked = new URLSearchParams(location.search).get("weeks");
if (asked && WEEK_CHOICES.includes(asked)) weeksSelect.value = asked;
if (!library) {
  statusLine.textContent = "For you needs the site's library script, which did not load.";
} else {
  run();
}
