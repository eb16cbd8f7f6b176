/* Sort, filter and page the findings table in the browser. No dependencies.
   Rows carry data-* attributes (year, trends, group, language); the form's
   <select name="…"> values are matched against them. */
(function () {
  "use strict";

  function setup(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var pageSize = parseInt(table.getAttribute("data-page-size") || "0", 10) || rows.length;
    var form = document.querySelector('form.table-filters[data-table="' + table.id + '"]');
    var pager = document.querySelector('nav.table-pager[data-table="' + table.id + '"]');
    var status = document.getElementById(table.id + "-status");
    var page = 0;
    var sortColumn = -1;
    var ascending = true;

    function matches(row) {
      if (!form) { return true; }
      var ok = true;
      Array.prototype.forEach.call(form.elements, function (field) {
        var value = (field.value || "").trim().toLowerCase();
        if (!value || !field.name) { return; }
        if (field.name === "q") {
          ok = ok && row.textContent.toLowerCase().indexOf(value) !== -1;
        } else {
          var have = (row.getAttribute("data-" + field.name) || "").toLowerCase().split(" ");
          ok = ok && have.indexOf(value) !== -1;
        }
      });
      return ok;
    }

    function render() {
      var shown = rows.filter(matches);
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      if (page >= pages) { page = pages - 1; }
      var start = page * pageSize;
      var visible = shown.slice(start, start + pageSize);
      rows.forEach(function (row) { row.hidden = true; });
      visible.forEach(function (row) { row.hidden = false; tbody.appendChild(row); });
      if (status) {
        status.textContent = shown.length === rows.length
          ? rows.length + " studies"
          : shown.length + " of " + rows.length + " studies";
      }
      if (pager) {
        pager.textContent = "";
        if (pages > 1) {
          for (var i = 0; i < pages; i++) {
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = String(i + 1);
            button.setAttribute("aria-label", "Page " + (i + 1));
            if (i === page) { button.setAttribute("aria-current", "page"); }
            button.addEventListener("click", (function (n) { return function () { page = n; render(); }; })(i));
            pager.appendChild(button);
          }
        }
      }
    }

    // Text sorts as the reader's language does: "Álvarez" before "Zapata", "Ñahui" after "Nuñez".
    var collator = new Intl.Collator(document.documentElement.lang || undefined, { sensitivity: "base", numeric: true });

    function key(row, column, numeric) {
      var cell = row.cells[column];
      var text = cell.getAttribute("data-sort") || cell.textContent.trim();
      return numeric ? parseFloat(text) || 0 : text;
    }

    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      var numeric = th.getAttribute("data-type") === "number";
      button.addEventListener("click", function () {
        ascending = sortColumn === column ? !ascending : true;
        sortColumn = column;
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.sort(function (a, b) {
          var x = key(a, column, numeric), y = key(b, column, numeric);
          var order = numeric ? (x < y ? -1 : x > y ? 1 : 0) : collator.compare(x, y);
          return ascending ? order : -order;
        });
        page = 0;
        render();
      });
    });

    if (form) {
      // Filters can come from the address, e.g. findings/?trends=citizen-perception&year=2022
      var preset = new URLSearchParams(window.location.search);
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && preset.has(field.name)) { field.value = preset.get(field.name); }
      });
      form.addEventListener("input", function () { page = 0; render(); });
      form.addEventListener("change", function () { page = 0; render(); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
    }
    render();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
