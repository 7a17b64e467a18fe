// Keyboard access to boxes that scroll sideways: wide display maths, code and the per-month tables on a phone.
// A box that scrolls gets tabindex="0", so it can be focused and scrolled with the arrow keys (WCAG 2.1.1;
// axe-core's scrollable-region-focusable); the mark goes again when the box stops scrolling (a wider window).
// Rechecked when the page changes (KaTeX renders after load) and when the window is resized. No dependencies.
(function () {
  "use strict";
  var SELECTOR = ".katex-display, .md-typeset pre > code, .md-typeset table.atlas-monthly";

  function mark() {
    Array.prototype.forEach.call(document.querySelectorAll(SELECTOR), function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("data-atlas-scroll", "");
      } else if (!scrolls && box.hasAttribute("data-atlas-scroll")) {
        box.removeAttribute("tabindex");
        box.removeAttribute("data-atlas-scroll");
      }
    });
  }

  var pending = 0;
  function later() {
    window.cancelAnimationFrame(pending);
    pending = window.requestAnimationFrame(mark);
  }
  new MutationObserver(later).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("resize", later);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", later);
  } else {
    later();
  }
})();
