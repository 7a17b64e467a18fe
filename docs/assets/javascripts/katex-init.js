// Renders the TeX that pymdownx.arithmatex (generic mode) leaves in the page, with the vendored KaTeX
// 0.19.1 (docs/assets/vendor/katex/). Material's document$ emits on the first load and again after each
// instant-navigation page switch, so maths is rendered on every page however it was reached.
document$.subscribe(({ body }) => {
  renderMathInElement(body, {
    // Only arithmatex's delimiters: a "$" in a paper title or abstract stays a dollar sign.
    delimiters: [
      { left: "\\(", right: "\\)", display: false },
      { left: "\\[", right: "\\]", display: true },
    ],
    throwOnError: false, // malformed TeX is shown in red in place, never thrown to the console
  })
})
