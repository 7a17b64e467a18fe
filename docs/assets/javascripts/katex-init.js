// Renders the TeX that pymdownx.arithmatex (generic mode) leaves in the page, with the vendored KaTeX
// 0.19.1 (docs/assets/vendor/katex/). KaTeX (~270 KB with its CSS) is loaded only by pages that have maths
// (an element of class "arithmatex"), so the other pages stay within their weight budget. Material's
// document$ emits on the first load and again after each instant-navigation page switch, so maths is
// rendered on every page however it was reached.
(() => {
  const here = document.currentScript ? document.currentScript.src : ""
  const base = new URL("../vendor/katex/", here || document.baseURI)
  let loading = null

  function load() {
    if (loading) return loading
    const css = document.createElement("link")
    css.rel = "stylesheet"
    css.href = new URL("katex.min.css", base).href
    document.head.appendChild(css)
    const script = (name) => new Promise((resolve, reject) => {
      const tag = document.createElement("script")
      tag.src = new URL(name, base).href
      tag.onload = resolve
      tag.onerror = reject
      document.head.appendChild(tag)
    })
    loading = script("katex.min.js").then(() => script("contrib/auto-render.min.js"))
    return loading
  }

  document$.subscribe(({ body }) => {
    if (!body.querySelector(".arithmatex")) return
    load().then(() => renderMathInElement(body, {
      // Only arithmatex's delimiters: a "$" in a paper title or abstract stays a dollar sign.
      delimiters: [
        { left: "\\(", right: "\\)", display: false },
        { left: "\\[", right: "\\]", display: true },
      ],
      throwOnError: false, // malformed TeX is shown in red in place, never thrown to the console
    }))
  })
})()
