// The Library page (docs/library.md): the starred papers (docs/assets/javascripts/library.js keeps them), their
// export as BibTeX or as a list of arXiv ids, import of either (a file or pasted text), and a link that carries
// the library to the For-you page (…/for-you/?papers=ID,ID).
//
// Reading a file follows tracker/library/reader.py (what `llm-atlas recommend` reads), so a file the command
// takes is taken here too: the arXiv id from `eprint`/`arxivid`/`url`/`doi` or a note such as "arXiv:2401.01234";
// a list of ids or links, one a line (blank lines and lines starting with #, % or // skipped). What names no
// arXiv paper is reported, with its line, and not stored. Papers imported by id alone get their title, authors
// and date from the site's own search data when the site has them (static files, fetched from this site only).
//
// Every string from a file or a paper is set with textContent or as an attribute value, never as HTML.
(() => {
  const MAX_FILE = 20_000_000 // bytes of a file read at most
  const SHOWN_JUNK = 20 // reported lines listed at most
  const AUTHORS_KEPT = 6
  const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
  const library = globalThis.atlasLibrary

  // -- reading files --------------------------------------------------------------------------------------
  const BIBTEX_START = /^\s*@\s*[A-Za-z]+\s*[{(]/m
  const TEXT_FIELDS = ["journal", "note", "number", "howpublished", "eprinttype", "annote", "annotation"]

  function shorten(text, limit = 60) {
    return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`
  }

  /** {kind, papers: [{id, title?, authors?, date?}], junk: [{line, text, why}], problem} from a file's text. */
  function readLibrary(text) {
    if (typeof text !== "string" || !text.trim()) return { kind: null, papers: [], junk: [], problem: "it is empty" }
    if (text.slice(0, 8192).includes("\0")) {
      return { kind: null, papers: [], junk: [], problem: "it is not a text file (binary data); give a BibTeX file or a list of arXiv ids" }
    }
    const found = BIBTEX_START.test(text) ? readBibtex(text) : readIdList(text)
    if (!found.papers.length) {
      const what = found.kind === "bibtex" ? "BibTeX entries" : "lines"
      found.problem = `none of its ${what} names an arXiv paper`
    }
    return found
  }

  function readIdList(text) {
    const papers = [], junk = [], seen = new Set()
    text.replace(/^\ufeff/, "").split(/\r\n|\r|\n/).forEach((line, i) => {
      const stripped = line.trim()
      if (!stripped || /^(#|%|\/\/)/.test(stripped)) return
      const first = stripped.split(/\s+/)[0].replace(/[,;]+$/, "")
      const id = library.arxivId(first)
      if (!id) junk.push({ line: i + 1, text: shorten(stripped), why: "not an arXiv id or link" })
      else if (!seen.has(id)) {
        seen.add(id)
        papers.push({ id })
      }
    })
    return { kind: "ids", papers, junk, problem: null }
  }

  // A small BibTeX reader: entries @type{key, name = {…} | "…" | word, …}, braces balanced, # joins parts.
  function readBibtex(text) {
    const papers = [], junk = [], seen = new Set()
    const starts = [0] // offsets of line starts, for line numbers
    for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1)
    const lineOf = (at) => {
      let low = 0, high = starts.length - 1
      while (low < high) {
        const mid = (low + high + 1) >> 1
        if (starts[mid] <= at) low = mid; else high = mid - 1
      }
      return low + 1
    }
    const START = /@\s*([A-Za-z]+)\s*([{(])/g
    let match
    while ((match = START.exec(text))) {
      const type = match[1].toLowerCase()
      const close = match[2] === "{" ? "}" : ")"
      const line = lineOf(match.index)
      if (type === "comment" || type === "preamble" || type === "string") {
        const end = skipBalanced(text, START.lastIndex, close)
        if (end > 0) START.lastIndex = end
        continue
      }
      const entry = readEntry(text, START.lastIndex, close)
      if (!entry) {
        junk.push({ line, text: shorten(text.slice(match.index).split("\n")[0]), why: "a BibTeX entry that does not parse" })
        continue
      }
      START.lastIndex = entry.end
      const fields = entry.fields
      const id = bibtexArxivId(fields)
      if (!id) {
        junk.push({ line, text: entry.key || `@${type}`, why: "a BibTeX entry with no arXiv id" })
        continue
      }
      if (seen.has(id)) continue
      seen.add(id)
      const paper = { id, title: latexText(fields.title || "") }
      const authors = bibAuthors(fields.author || "")
      if (authors) paper.authors = authors
      const date = /^\d{4}-\d{2}-\d{2}$/.exec((fields.date || "").trim())
      if (date) paper.date = date[0]
      papers.push(paper)
    }
    return { kind: "bibtex", papers, junk, problem: null }
  }

  /** The offset just after the `close` that ends a block opened before `at`, else -1. */
  function skipBalanced(text, at, close) {
    let depth = 0
    for (let i = at; i < text.length; i++) {
      const c = text[i]
      if (c === "{") depth++
      else if (c === "}" && depth > 0) depth--
      else if (c === close && depth === 0) return i + 1
    }
    return -1
  }

  function readEntry(text, at, close) {
    let i = at
    const skip = () => { while (i < text.length && /\s/.test(text[i])) i++ }
    skip()
    const keyMatch = /[^,\s})]*/y
    keyMatch.lastIndex = i
    const key = keyMatch.exec(text)[0]
    i += key.length
    skip()
    const fields = {}
    while (i < text.length) {
      skip()
      if (text[i] === ",") { i++; continue }
      if (text[i] === close) return { key, fields, end: i + 1 }
      const name = /^[A-Za-z0-9_\-:.+]+/.exec(text.slice(i, i + 100))
      if (!name) return null
      i += name[0].length
      skip()
      if (text[i] !== "=") return null
      i++
      let value = ""
      for (;;) {
        skip()
        const c = text[i]
        if (c === "{") {
          const end = skipBalanced(text, i + 1, "}")
          if (end < 0) return null
          value += text.slice(i + 1, end - 1)
          i = end
        } else if (c === '"') {
          let depth = 0, j = i + 1
          for (; j < text.length; j++) {
            if (text[j] === "{") depth++
            else if (text[j] === "}") depth--
            else if (text[j] === '"' && depth === 0 && text[j - 1] !== "\\") break
          }
          if (j >= text.length) return null
          value += text.slice(i + 1, j)
          i = j + 1
        } else {
          const word = /^[^\s,#{}()"=]+/.exec(text.slice(i, i + 200))
          if (!word) return null
          value += word[0]
          i += word[0].length
        }
        skip()
        if (text[i] !== "#") break
        i++
      }
      fields[name[0].toLowerCase()] = value
    }
    return null
  }

  /** The arXiv id of a BibTeX entry (reader.py's bibtex_arxiv_id). */
  function bibtexArxivId(fields) {
    const prefix = (fields.archiveprefix ?? fields.eprinttype ?? "arxiv").trim().toLowerCase()
    for (const name of ["eprint", "arxivid", "arxiv"]) {
      if (name in fields && (prefix === "arxiv" || name !== "eprint")) {
        const found = library.arxivId(fields[name])
        if (found) return found
      }
    }
    for (const name of ["url", "doi"]) {
      const found = library.arxivId(fields[name] || "")
      if (found) return found
    }
    for (const name of TEXT_FIELDS) {
      const found = library.arxivId(fields[name] || "", false)
      if (found) return found
    }
    return null
  }

  /** A BibTeX field as plain text (reader.py's latex_text): LaTeX commands and braces dropped. */
  function latexText(value) {
    return value
      .replace(/\\["'^`~=.uvHc]\s*\{?([A-Za-z])\}?/g, "$1")
      .replace(/\\[A-Za-z]+\*?\s*|\\./gs, (m) => (m.length === 2 ? m[1] : ""))
      .replace(/[{}]/g, "")
      .replace(/~/g, " ")
      .replace(/\s+/g, " ")
      .trim()
  }

  /** "A and B and others" (or "Surname, Given and …") as the site shows authors: "A, B et al.". */
  function bibAuthors(field) {
    if (!field.trim()) return ""
    const names = field.split(/\s+and\s+/i).map((name) => {
      const plain = latexText(name)
      const [last, ...given] = plain.split(/\s*,\s*/)
      return given.length ? `${given.join(" ")} ${last}`.trim() : plain
    }).filter(Boolean)
    const others = names.length && names[names.length - 1].toLowerCase() === "others"
    const real = names.filter((n) => n.toLowerCase() !== "others")
    const kept = real.slice(0, AUTHORS_KEPT).join(", ")
    return real.length > AUTHORS_KEPT || others ? `${kept} et al.` : kept
  }

  // -- writing files -------------------------------------------------------------------------------------
  const LATEX = { "\\": "\\textbackslash{}", "{": "\\{", "}": "\\}", $: "\\$", "&": "\\&", "%": "\\%", "#": "\\#",
                  _: "\\_", "^": "\\^{}", "~": "\\~{}" }

  /** tracker/site/pages/bibtex.py's latex_escape. */
  function latexEscape(text) {
    return text.split(/\s+/).filter(Boolean).join(" ").replace(/[\\{}$&%#_^~]/g, (c) => LATEX[c])
  }

  function asciiWord(text) {
    return text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().replace(/[^a-z]/g, "")
  }

  function surname(author) {
    const words = author.trim().split(/\s+/).filter(Boolean)
    while (words.length > 1 && ["jr", "sr", "ii", "iii", "iv"].includes(words[words.length - 1].replace(/\.$/, "").toLowerCase())) words.pop()
    return words.length ? words[words.length - 1] : ""
  }

  /** The year of a paper: its date's, else its arXiv id's (2601.01972: 2026; hep-th/9901001: 1999). */
  function yearOf(paper) {
    if (paper.date) return paper.date.slice(0, 4)
    const fresh = /^(\d{2})\d{2}\./.exec(paper.id)
    if (fresh) return String(2000 + Number(fresh[1]))
    const old = /\/(\d{2})\d{5}$/.exec(paper.id)
    return old ? String(Number(old[1]) >= 91 ? 1900 + Number(old[1]) : 2000 + Number(old[1])) : ""
  }

  function authorList(text) {
    if (!text) return { names: [], others: false }
    const others = /\s*et al\.?$/.test(text)
    const names = text.replace(/,?\s*et al\.?$/, "").split(/\s*,\s*/).filter(Boolean)
    return { names, others }
  }

  /** One @misc entry per paper, as the site's own (tracker/site/pages/bibtex.py), with what the library knows. */
  function toBibtex(papers) {
    return papers.map((paper) => {
      const { names, others } = authorList(paper.authors)
      const year = yearOf(paper)
      const key = `${asciiWord(surname(names[0] || "")) || "anon"}${year}_${paper.id.replace("/", "_")}`
      const fields = []
      if (paper.title) fields.push(["title", `{{${latexEscape(paper.title)}}}`])
      if (names.length) fields.push(["author", `{${[...names.map(latexEscape), ...(others ? ["others"] : [])].join(" and ")}}`])
      if (year) fields.push(["year", `{${year}}`])
      if (paper.date) fields.push(["month", MONTHS[Number(paper.date.slice(5, 7)) - 1]], ["date", `{${paper.date}}`])
      fields.push(["eprint", `{${paper.id}}`], ["archivePrefix", "{arXiv}"], ["url", `{https://arxiv.org/abs/${paper.id}}`])
      return `@misc{${key},\n${fields.map(([name, value]) => `  ${name} = ${value},`).join("\n")}\n}\n`
    }).join("\n")
  }

  function toIdList(papers) {
    return papers.map((p) => `${p.id}\n`).join("")
  }

  /** The For-you page's address carrying these papers (…/for-you/?papers=ID,ID). */
  function shareLink(papers, base) {
    const url = new URL("../for-you/", base)
    url.search = `?papers=${papers.map((p) => encodeURIComponent(p.id).replace(/%2F/gi, "/")).join(",")}`
    return url.href
  }

  globalThis.atlasLibraryFiles = { readLibrary, readBibtex, readIdList, toBibtex, toIdList, shareLink, latexText, yearOf }
  if (typeof document === "undefined" || !library) return // under Node (tests): the functions only

  // -- the site's own data about papers imported by id (the search page's files) ---------------------------
  const searchData = new URL("../generated/search/", document.baseURI)
  let searchBase = null

  async function inflate(response) {
    const bytes = new Uint8Array(await response.arrayBuffer())
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes // a server that sent it gzip-encoded: inflated already
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))
    return new Uint8Array(await new Response(stream).arrayBuffer())
  }

  async function fetchJson(name, options) {
    const response = await fetch(new URL(name, searchData), options)
    if (!response.ok) throw new Error(`${name}: HTTP ${response.status}`)
    return JSON.parse(new TextDecoder().decode(name.endsWith(".gz") ? await inflate(response) : new Uint8Array(await response.arrayBuffer())))
  }

  function loadSearchBase() {
    if (!searchBase) {
      searchBase = (async () => {
        const manifest = await fetchJson("manifest.json", { cache: "no-cache" })
        const directory = await fetchJson(manifest.files.directory)
        return { manifest, directory }
      })()
      searchBase.catch(() => { searchBase = null })
    }
    return searchBase
  }

  function chunkName(directory, kind, number) {
    return `${kind}/${number}.${directory[kind].slice(8 * number, 8 * number + 8)}.gz`
  }

  /** Python's str order (code points); arXiv ids are ASCII, where it is the plain order. */
  function chunkOf(firsts, id) {
    let low = 0, high = firsts.length - 1, found = -1
    while (low <= high) {
      const mid = (low + high) >> 1
      if (firsts[mid] <= id) { found = mid; low = mid + 1 } else high = mid - 1
    }
    return found
  }

  async function inBatches(items, size, run) {
    const out = []
    for (let i = 0; i < items.length; i += size) out.push(...await Promise.all(items.slice(i, i + size).map(run)))
    return out
  }

  /** {id: {title, authors, date}} for the ids the site has, and the set of those it has not. */
  async function lookUp(ids) {
    const { manifest, directory } = await loadSearchBase()
    const byChunk = new Map()
    for (const id of ids) {
      const chunk = chunkOf(directory.ifirsts, id)
      if (chunk < 0) continue
      if (!byChunk.has(chunk)) byChunk.set(chunk, [])
      byChunk.get(chunk).push(id)
    }
    const rows = new Map()
    await inBatches([...byChunk], 6, async ([chunk, wanted]) => {
      const table = await fetchJson(chunkName(directory, "i", chunk))
      for (const id of wanted) {
        const at = table.ids.indexOf(id)
        if (at >= 0) rows.set(id, table.rows[at])
      }
    })
    const size = manifest.chunks.meta
    const metaChunks = [...new Set([...rows.values()].map((row) => Math.floor(row / size)))]
    const found = {}
    await inBatches(metaChunks, 6, async (chunk) => {
      const meta = await fetchJson(chunkName(directory, "p", chunk))
      for (const [id, title, authors, published] of meta) {
        if (rows.has(id)) found[id] = { id, title, authors: authors.replace(/,?\s*et al\.$/, " et al."), date: published }
      }
    })
    return { found, missing: new Set(ids.filter((id) => !found[id])) }
  }

  // -- the page --------------------------------------------------------------------------------------------
  const $ = (id) => document.getElementById(id)
  const statusLine = $("atlas-library-status")
  const list = $("atlas-library-list")
  const actions = document.querySelector(".atlas-library__actions")
  const shareBox = document.querySelector(".atlas-library__share-box")
  const shareInput = $("atlas-library-share")
  const report = $("atlas-library-report")
  const notOnSite = new Set() // ids the site's data does not have (looked up once per visit)
  const lookedUp = new Set()
  let lastRemoved = null

  function element(tag, className, text) {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined) node.textContent = text
    return node
  }

  function button(text, className, onClick) {
    const node = element("button", className ? `md-button ${className}` : "md-button", text)
    node.type = "button"
    node.addEventListener("click", onClick)
    return node
  }

  function item(paper) {
    const li = element("li", "atlas-library__paper")
    li.dataset.paper = paper.id
    const title = element("a", "atlas-library__title", paper.title || `arXiv ${paper.id}`)
    title.href = `https://arxiv.org/abs/${paper.id}`
    const meta = element("p", "atlas-library__meta")
    const bits = []
    if (paper.date) bits.push(paper.date)
    if (paper.authors) bits.push(paper.authors)
    bits.push(`arXiv ${paper.id}`)
    if (notOnSite.has(paper.id)) bits.push("not on this site")
    meta.append(bits.join(" · "), " · ")
    const like = element("a", null, "More like this")
    like.href = `../search/?like=${encodeURIComponent(paper.id)}`
    meta.append(like)
    const remove = button("Remove", "atlas-library__remove", () => {
      lastRemoved = [paper]
      library.remove([paper.id])
    })
    remove.setAttribute("aria-label", `Remove from your library: ${shorten(paper.title || paper.id, 150)}`)
    meta.append(" ", remove)
    li.append(title, meta)
    return li
  }

  function render(papers) {
    list.replaceChildren(...papers.map(item))
    actions.hidden = !papers.length
    if (!papers.length) shareBox.hidden = true
    else if (!shareBox.hidden) shareInput.value = shareLink(papers, location.href)
    const words = papers.length
      ? [`${papers.length} ${papers.length === 1 ? "paper" : "papers"} in your library, newest star first. `]
      : ["No paper in your library yet: press ☆ beside a paper anywhere on the site, or import a file below. "]
    const forYou = element("a", null, papers.length ? "Papers for you →" : "What For you does")
    forYou.href = "../for-you/"
    statusLine.replaceChildren(...words, forYou)
    if (lastRemoved) {
      const undo = lastRemoved
      lastRemoved = null
      statusLine.append(" ", element("span", null, `Removed “${shorten(undo[0].title || undo[0].id, 80)}”.`), " ",
        button("Undo", "atlas-library__undo", () => library.add(undo)))
    }
    fillIn(papers)
  }

  /** Papers known by id alone get the site's title, authors and date (once per visit). */
  function fillIn(papers) {
    const wanted = papers.filter((p) => (!p.title || !p.date) && !lookedUp.has(p.id)).map((p) => p.id)
    if (!wanted.length) return
    for (const id of wanted) lookedUp.add(id)
    lookUp(wanted).then(({ found, missing }) => {
      for (const id of missing) notOnSite.add(id)
      const known = Object.values(found)
      if (known.length) library.add(known) // fills in the fields they lack (re-renders)
      else if (missing.size) render(library.papers())
    }).catch(() => {}) // no search data (a site built without it): the ids are shown as they are
  }

  function download(text, name, type) {
    const link = element("a")
    link.href = URL.createObjectURL(new Blob([text], { type }))
    link.download = name
    document.body.append(link)
    link.click()
    link.remove()
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
  }

  function stamp() {
    return new Date().toISOString().slice(0, 10)
  }

  function importText(text, source) {
    const read = readLibrary(text)
    const papers = read.papers
    const before = new Set(library.papers().map((p) => p.id))
    const added = papers.length ? library.add(papers) : []
    const already = papers.filter((p) => before.has(p.id)).length
    const lines = []
    if (read.problem) lines.push(`Nothing imported from ${source}: ${read.problem}.`)
    else {
      lines.push(`Imported ${added.length} ${added.length === 1 ? "paper" : "papers"} from ${source}`
        + (already ? ` (${already} already in your library)` : "")
        + (papers.length > added.length + already ? `; ${papers.length - added.length - already} left out: the library holds at most ${library.MAX_PAPERS}` : "")
        + ".")
    }
    report.replaceChildren(element("p", null, lines.join(" ")))
    report.dataset.imported = String(added.length)
    report.dataset.junk = String(read.junk.length)
    if (read.junk.length) {
      const what = read.kind === "bibtex" ? "entries" : "lines"
      report.append(element("p", null, `${read.junk.length} ${what} named no arXiv paper and were left out:`))
      const junk = element("ul", "atlas-library__junk")
      for (const bad of read.junk.slice(0, SHOWN_JUNK)) junk.append(element("li", null, `line ${bad.line}: ${bad.text} (${bad.why})`))
      if (read.junk.length > SHOWN_JUNK) junk.append(element("li", null, `and ${read.junk.length - SHOWN_JUNK} more`))
      report.append(junk)
    }
  }

  $("atlas-library-bibtex").addEventListener("click", () => {
    download(toBibtex(library.papers()), `llm-atlas-library-${stamp()}.bib`, "application/x-bibtex")
  })
  $("atlas-library-ids").addEventListener("click", () => {
    download(toIdList(library.papers()), `llm-atlas-library-${stamp()}.txt`, "text/plain")
  })
  $("atlas-library-share-button").addEventListener("click", () => {
    shareInput.value = shareLink(library.papers(), location.href)
    shareBox.hidden = false
    shareInput.focus()
    shareInput.select()
  })
  const clear = $("atlas-library-clear")
  clear.addEventListener("click", () => {
    if (clear.dataset.armed) {
      delete clear.dataset.armed
      clear.textContent = "Remove all"
      const all = library.papers()
      lastRemoved = null
      library.remove(all.map((p) => p.id))
      statusLine.append(" ", button("Undo", "atlas-library__undo", () => library.add(all)))
    } else {
      clear.dataset.armed = "yes"
      clear.textContent = `Remove all ${library.papers().length}? Press again`
      setTimeout(() => { delete clear.dataset.armed; clear.textContent = "Remove all" }, 5000)
    }
  })
  $("atlas-library-file").addEventListener("change", async (event) => {
    const file = event.target.files && event.target.files[0]
    if (!file) return
    if (file.size > MAX_FILE) {
      report.replaceChildren(element("p", null, `Nothing imported from ${file.name}: it is over ${MAX_FILE / 1e6} MB.`))
      return
    }
    const bytes = new Uint8Array(await file.arrayBuffer())
    let text
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes)
    } catch {
      text = bytes.includes(0) ? "\0" : null
    }
    if (text === null) {
      report.replaceChildren(element("p", null, `Nothing imported from ${file.name}: it is not UTF-8 text (a binary file?); give a BibTeX file or a list of arXiv ids.`))
    } else importText(text, file.name)
    event.target.value = ""
  })
  $("atlas-library-import").addEventListener("click", () => {
    const paste = $("atlas-library-paste")
    importText(paste.value, "the pasted text")
  })

  library.onChange(render)
  render(library.papers())
})()
