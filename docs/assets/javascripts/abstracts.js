// Month pages: each paper's abstract and BibTeX entry, loaded when the reader asks for them.
// They are published once, in gzipped JSON files of 16 papers (tracker/site/abstracts.py), not in the HTML:
// printed on every month page they made the site grow by ~6 KB a paper. The page's list carries the folder
// of its month's files (data-abstracts) and the month position of its first paper (data-first); paper i of
// the page is entry (first + i) % 16 of file (first + i) / 16. Strings go in with textContent, never as HTML.
(() => {
  const CHUNK = 16
  const files = new Map() // url -> promise of the file's entries

  async function inflate(response) {
    const bytes = new Uint8Array(await response.arrayBuffer())
    // a server that sends the file with Content-Encoding: gzip has had it inflated by the browser already
    if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))
    return new Uint8Array(await new Response(stream).arrayBuffer())
  }

  function entries(url) {
    if (!files.has(url)) {
      const promise = fetch(url).then(async (response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`)
        return JSON.parse(new TextDecoder().decode(await inflate(response)))
      })
      promise.catch(() => files.delete(url)) // a failed fetch may be tried again
      files.set(url, promise)
    }
    return files.get(url)
  }

  function element(tag, className, text) {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (text !== undefined) node.textContent = text
    return node
  }

  function setUp(list) {
    const folder = new URL(list.dataset.abstracts, document.baseURI)
    const first = Number(list.dataset.first)
    const articles = [...list.querySelectorAll(":scope > article")]
    const entryOf = async (i) => {
      const position = first + i
      const chunk = await entries(new URL(`${Math.floor(position / CHUNK)}.json.gz`, folder).href)
      const entry = chunk[position % CHUNK]
      if (!entry || entry.id !== articles[i].dataset.arxivId) throw new Error("the abstracts file is out of date")
      return entry
    }

    articles.forEach((article, i) => {
      const details = element("details", "atlas-paper__abstract")
      details.append(element("summary", "", "Abstract and BibTeX"))
      const body = element("div", "atlas-paper__abstract-body", "Loading…")
      details.append(body)
      details.addEventListener("toggle", () => {
        if (!details.open || details.dataset.loaded) return
        details.dataset.loaded = "pending"
        entryOf(i).then((entry) => {
          const bib = element("details", "atlas-paper__bib")
          bib.append(element("summary", "", "BibTeX"))
          const pre = element("pre")
          pre.append(element("code", "", entry.bibtex))
          bib.append(pre)
          body.replaceChildren(element("p", "", entry.abstract), bib)
          details.dataset.loaded = "yes"
        }).catch(() => {
          const link = element("a", "", "read it on arXiv")
          link.href = article.querySelector(".atlas-paper__title a").href
          body.replaceChildren(element("p", "", "The abstract could not be loaded: "), link)
          delete details.dataset.loaded
        })
      })
      article.append(details)
    })

    // "BibTeX for these papers": every entry of the page, in the page's order, as one .bib download
    const bibBox = list.previousElementSibling
    const button = bibBox && bibBox.querySelector("button[data-bib-name]")
    if (button) {
      bibBox.hidden = false
      button.addEventListener("click", async () => {
        const label = button.textContent
        button.textContent = "Preparing…"
        try {
          const all = await Promise.all(articles.map((_, i) => entryOf(i)))
          const blob = new Blob([all.map((e) => e.bibtex).join("\n")], { type: "application/x-bibtex" })
          const link = element("a")
          link.href = URL.createObjectURL(blob)
          link.download = button.dataset.bibName
          document.body.append(link)
          link.click()
          link.remove()
          setTimeout(() => URL.revokeObjectURL(link.href), 10_000)
          button.textContent = label
        } catch {
          button.textContent = "BibTeX could not be loaded: try again"
        }
      })
    }
  }

  function openLinked() {
    // a link to a paper's entry (…/#paper-ID, from every other list) opens its abstract
    const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null
    const details = target && target.querySelector(":scope > details.atlas-paper__abstract")
    if (details && !details.open) details.open = true
  }

  function start() {
    const lists = document.querySelectorAll(".atlas-papers[data-abstracts]")
    if (!lists.length) return
    lists.forEach(setUp)
    openLinked()
    window.addEventListener("hashchange", openLinked)
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start)
  else start()
})()
