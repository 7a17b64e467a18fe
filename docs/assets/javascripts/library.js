// The reader's library (issue 23): a star on every paper the site shows, the starred papers kept in this
// browser's localStorage, nothing sent anywhere. Loaded by every page (mkdocs.yml: extra_javascript).
//
// A star is a toggle button (aria-pressed) added to each paper the page lists: month-page entries
// (article.atlas-paper), the compact rows of every other list (.atlas-rows > li), search results (.atlas-hit,
// added as they appear) and the For-you and Library pages' own lists. What is kept of a paper is what the page
// knows: its arXiv id, title, date and authors as shown (at most 6, then "et al.").
//
// The stored value is {"version": 1, "papers": [{id, title, date, authors, added}]}, newest star first. A value
// that cannot be read (not JSON, another shape, too big, entries that are not papers) never breaks a page: what
// can be kept is kept, the rest is dropped, and the page says so in a notice (never on the console).
//
// Every string from a paper is set with textContent or as an attribute value, never as HTML.
// window.atlasLibrary is what the Library and For-you pages use (docs/library.md, docs/for-you.md).
(() => {
  const KEY = "llm-atlas:library"
  const VERSION = 1
  const MAX_CHARS = 2_000_000 // a value longer than this is not ours: dropped unread
  const MAX_PAPERS = 5_000
  const MAX_TEXT = 2_000 // characters kept of a title or an author list
  // arXiv ids as tracker/library/reader.py reads them: new style (0704.0001 on) and old style (hep-th/9901001)
  const NEW_ID = String.raw`\d{4}\.\d{4,5}`
  const OLD_ID = String.raw`[a-z][a-z\-]*(?:\.[A-Z]{2})?\/\d{7}`
  const ID = `(${NEW_ID}|${OLD_ID})(?:v\\d+)?`
  const BARE = new RegExp(`^(?:arxiv:\\s*)?${ID}(?:\\.pdf)?$`, "i")
  const IN_URL = new RegExp(String.raw`(?:arxiv\.org/(?:abs|pdf|html|format)/|alphaxiv\.org/(?:abs|overview)/`
    + String.raw`|huggingface\.co/papers/|10\.48550/arxiv\.)` + ID, "i")
  const IN_TEXT = new RegExp(String.raw`\barxiv[:\s]\s*` + ID, "i")
  const STORED_ID = new RegExp(`^(?:${NEW_ID}|${OLD_ID})$`, "i")
  const DATE = /^\d{4}-\d{2}-\d{2}$/

  /** The arXiv id (no version) in an id, a URL or a DOI, else null; `bare = false` also searches free text
   *  (reader.py's arxiv_id_in). */
  function arxivId(text, bare = true) {
    if (typeof text !== "string") return null
    const value = text.trim().replace(/^[<>"']+|[<>"']+$/g, "")
    const match = BARE.exec(value) || IN_URL.exec(value) || (bare ? null : IN_TEXT.exec(value))
    return match ? match[1] : null
  }

  function clip(value) {
    if (typeof value !== "string") return ""
    const text = value.replace(/\s+/g, " ").trim()
    return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text
  }

  /** A stored paper as the library keeps it, or null when `value` is not one. */
  function clean(value) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return null
    const id = typeof value.id === "string" && STORED_ID.test(value.id) ? value.id : arxivId(value.id)
    if (!id) return null
    const paper = { id, title: clip(value.title), date: "", authors: clip(value.authors), added: "" }
    if (typeof value.date === "string" && DATE.test(value.date)) paper.date = value.date
    if (typeof value.added === "string" && value.added.length <= 40) paper.added = value.added
    return paper
  }

  /** {papers, problem}: the stored library, what could be kept of it, and why the rest was dropped (or null). */
  function parse(text) {
    if (text === null || text === undefined || text === "") return { papers: [], problem: null }
    if (typeof text !== "string" || text.length > MAX_CHARS) {
      return { papers: [], problem: `it is too big (${Math.round(String(text).length / 1e6)} MB of text)` }
    }
    let value
    try {
      value = JSON.parse(text)
    } catch {
      return { papers: [], problem: "it is not valid JSON" }
    }
    const list = Array.isArray(value) ? value : value && typeof value === "object" ? value.papers : null
    if (!Array.isArray(list)) return { papers: [], problem: "it is not a list of papers" }
    const papers = []
    const seen = new Set()
    let dropped = 0
    for (const item of list) {
      const paper = clean(item)
      if (!paper || seen.has(paper.id)) {
        dropped += paper ? 0 : 1
        continue
      }
      seen.add(paper.id)
      papers.push(paper)
    }
    const extra = Math.max(0, papers.length - MAX_PAPERS)
    const problems = []
    if (dropped) problems.push(`${dropped} of its ${list.length} entries ${dropped === 1 ? "was not a paper" : "were not papers"}`)
    if (extra) problems.push(`it held more than ${MAX_PAPERS} papers`)
    if (!Array.isArray(value) && value.version !== VERSION) problems.push(`it is of another version (${String(value.version).slice(0, 20)})`)
    return { papers: papers.slice(0, MAX_PAPERS), problem: problems.length ? problems.join("; ") : null }
  }

  // -- storage ---------------------------------------------------------------------------------------------
  let storage = null
  try {
    storage = window.localStorage
    storage.getItem(KEY) // a browser that forbids storage throws here, not on `localStorage`
  } catch {
    storage = null
  }
  let papers = []
  let byId = new Map()
  const listeners = new Set()

  function load() {
    let text = null
    try {
      text = storage ? storage.getItem(KEY) : null
    } catch {
      text = null
    }
    const read = parse(text)
    papers = read.papers
    byId = new Map(papers.map((p) => [p.id, p]))
    if (read.problem) {
      // keep what was readable, drop the rest, and say so once
      const kept = papers.length
      notify(`Your library in this browser could not be read in full (${read.problem}), so ${kept
        ? `only the ${kept} readable ${kept === 1 ? "paper was" : "papers were"} kept` : "it was cleared"}.`)
      save()
    }
  }

  function save() {
    if (!storage) {
      notify("This browser does not let the site keep anything (its storage is off), so your stars last only "
        + "until you leave this page.", "storage-off")
      return false
    }
    try {
      if (papers.length) storage.setItem(KEY, JSON.stringify({ version: VERSION, papers }))
      else storage.removeItem(KEY)
      return true
    } catch {
      notify("Your library could not be saved: this browser's storage for the site is full.", "storage-full")
      return false
    }
  }

  function changed() {
    for (const listener of listeners) listener(papers)
    refreshStars()
  }

  /** Add papers (objects with at least an id); known ones get the fields they lacked. Returns those added. */
  function add(list) {
    const added = []
    const now = new Date().toISOString()
    for (const item of list) {
      const paper = clean({ added: now, ...item })
      if (!paper) continue
      const known = byId.get(paper.id)
      if (known) {
        for (const field of ["title", "date", "authors"]) if (!known[field] && paper[field]) known[field] = paper[field]
        continue
      }
      if (papers.length + added.length >= MAX_PAPERS) break
      added.push(paper)
      byId.set(paper.id, paper)
    }
    papers = [...added, ...papers] // newest first; a batch keeps its own order
    if (added.length || list.length) save()
    changed()
    return added
  }

  function remove(ids) {
    const gone = new Set(ids)
    papers = papers.filter((p) => !gone.has(p.id))
    for (const id of gone) byId.delete(id)
    save()
    changed()
  }

  // -- notices (a line at the top of the page's content; never the console) --------------------------------
  const shown = new Set()
  function notify(text, kind = "unreadable") {
    if (shown.has(kind) || typeof document === "undefined") return
    shown.add(kind)
    const put = () => {
      const box = document.createElement("div")
      box.className = "atlas-library-notice"
      box.setAttribute("role", "status")
      box.dataset.notice = kind
      const words = document.createElement("p")
      words.textContent = text
      const close = document.createElement("button")
      close.type = "button"
      close.className = "md-button atlas-library-notice__close"
      close.textContent = "Dismiss"
      close.addEventListener("click", () => box.remove())
      box.append(words, close)
      const where = document.querySelector(".md-content__inner") || document.body
      where.prepend(box)
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", put)
    else put()
  }

  // -- stars -----------------------------------------------------------------------------------------------
  const STAR_OFF = "☆"
  const STAR_ON = "★"

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : ""
  }

  /** What the page shows of a paper, from its element: title, date, authors. */
  function describe(item) {
    const id = item.dataset.arxivId
    const title = text(item.querySelector(".atlas-paper__title a, a.atlas-hit__title, :scope > a"))
    let date = item.dataset.published || ""
    let authors = ""
    const meta = item.querySelector(".atlas-paper__meta, .atlas-hit__meta, :scope > span")
    if (meta) {
      const parts = text(meta).split(" · ")
      if (!date) date = parts.find((p) => DATE.test(p)) || ""
      if (item.classList.contains("atlas-hit")) {
        // "[Weak match · ]<time>date</time> · authors · chips …": the authors are the text after the date
        const time = meta.querySelector("time")
        const after = time && time.nextSibling && time.nextSibling.nodeType === 3 ? time.nextSibling.textContent : ""
        authors = after.replace(/^\s*·\s*/, "").trim()
      } else {
        // "authors · date · …" (month pages), "first author et al. · date" (rows)
        authors = parts.length > 1 && !DATE.test(parts[0]) && !parts[0].startsWith("·") ? parts[0] : ""
      }
    }
    return { id, title, date, authors: authors.replace(/,?\s*et al\.$/, " et al.") }
  }

  function starFor(paper) {
    const button = document.createElement("button")
    button.type = "button"
    button.className = "atlas-star"
    button.dataset.paper = paper.id // not data-arxiv-id: lists and tests select papers by that
    const glyph = document.createElement("span")
    glyph.setAttribute("aria-hidden", "true")
    button.append(glyph)
    const name = paper.title ? `Star: ${paper.title.length > 150 ? `${paper.title.slice(0, 149)}…` : paper.title}` : `Star arXiv ${paper.id}`
    button.setAttribute("aria-label", name)
    button.addEventListener("click", () => {
      if (byId.has(paper.id)) remove([paper.id])
      else add([typeof paper.describe === "function" ? paper.describe() : paper])
    })
    setStar(button)
    return button
  }

  function setStar(button) {
    const on = byId.has(button.dataset.paper)
    button.setAttribute("aria-pressed", on ? "true" : "false")
    button.title = on ? "In your library (click to remove)" : "Add to your library"
    button.firstChild.textContent = on ? STAR_ON : STAR_OFF
  }

  function refreshStars() {
    if (typeof document === "undefined") return
    for (const button of document.querySelectorAll("button.atlas-star")) setStar(button)
  }

  const LISTED = "article.atlas-paper[data-arxiv-id], .atlas-rows > li[data-arxiv-id], li.atlas-hit[data-arxiv-id]"

  function decorate(item) {
    if (item.dataset.star) return
    item.dataset.star = "yes"
    const button = starFor({ id: item.dataset.arxivId, describe: () => describe(item), title: describe(item).title })
    if (item.matches("article")) item.prepend(button)
    else item.prepend(button, " ")
  }

  function decorateWithin(root) {
    if (root.matches && root.matches(LISTED)) decorate(root)
    if (root.querySelectorAll) for (const item of root.querySelectorAll(LISTED)) decorate(item)
  }

  function start() {
    decorateWithin(document)
    // search results (and any list a script adds later) get their stars as they appear
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) decorateWithin(node)
    }).observe(document.body, { childList: true, subtree: true })
    // another tab starred or removed a paper
    window.addEventListener("storage", (event) => {
      if (event.key !== KEY && event.key !== null) return
      load()
      changed()
    })
  }

  const api = {
    KEY, VERSION, MAX_PAPERS, arxivId, parse,
    get available() { return storage !== null },
    papers: () => papers.slice(),
    has: (id) => byId.has(id),
    get: (id) => byId.get(id),
    add, remove,
    onChange: (listener) => { listeners.add(listener); return () => listeners.delete(listener) },
    star: starFor,
    notify,
  }
  globalThis.atlasLibrary = api
  if (typeof document === "undefined") return // under Node (tests): the functions only
  load()
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start)
  else start()
})()
