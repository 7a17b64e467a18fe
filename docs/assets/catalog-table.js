// Sorting and filtering for the catalog's models table (no dependencies, no network).
// Sorting: click a column heading (numeric columns sort by their data-sort value). Filters: the selects
// above the table, shown only when this script runs (the table works without it).
(function () {
  "use strict";

  function cellValue(row, index, type) {
    var cell = row.cells[index];
    var raw = cell.getAttribute("data-sort");
    if (type === "number") {
      var number = parseFloat(raw !== null ? raw : cell.textContent);
      return isNaN(number) ? -1 : number;
    }
    return (raw !== null ? raw : cell.textContent).trim().toLowerCase();
  }

  function makeSortable(table) {
    var headings = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headings, function (th, index) {
      th.setAttribute("role", "button");
      th.setAttribute("tabindex", "0");
      th.classList.add("atlas-sortable__heading");
      function sort() {
        var type = th.getAttribute("data-type") || "text";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(headings, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index, type), y = cellValue(b, index, type);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }

  function makeFilterable(panel) {
    var table = document.getElementById(panel.getAttribute("data-for"));
    if (!table) { return; }
    var selects = panel.querySelectorAll("select[data-filter]");
    var counter = panel.querySelector(".atlas-filters__count");
    function apply() {
      var shown = 0;
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        var visible = Array.prototype.every.call(selects, function (select) {
          return !select.value || row.getAttribute("data-" + select.getAttribute("data-filter")) === select.value;
        });
        row.hidden = !visible;
        if (visible) { shown += 1; }
      });
      if (counter) { counter.textContent = shown + " of " + table.tBodies[0].rows.length + " models"; }
    }
    Array.prototype.forEach.call(selects, function (select) { select.addEventListener("change", apply); });
    panel.hidden = false;
    apply();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.atlas-sortable"), function (table) {
      if (!table.getAttribute("data-sortable-ready")) {
        table.setAttribute("data-sortable-ready", "1");
        makeSortable(table);
      }
    });
    Array.prototype.forEach.call(document.querySelectorAll(".atlas-filters[data-for]"), function (panel) {
      if (!panel.getAttribute("data-filter-ready")) {
        panel.setAttribute("data-filter-ready", "1");
        makeFilterable(panel);
      }
    });
  }

  // Material's instant navigation replaces the page without reloading: hook its observable when present.
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
