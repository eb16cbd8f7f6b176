/* Sort, filter and page the findings table in the browser, and download the rows that pass the filters.
   No dependencies. Rows carry data-* attributes (id, year, trends, group, language); the form's
   <select name="…"> values are matched against them.
   Every word this script writes comes from the page, in its language: the table's data-status-* messages
   (one per plural category of Intl.PluralRules, "{num}" and "{shown}" standing for the numbers), the pager's
   data-page-label, and the download button's data-failed. */
(function () {
  "use strict";

  var lang = document.documentElement.lang || undefined;
  var plurals = new Intl.PluralRules(lang);
  var numbers = new Intl.NumberFormat(lang);

  // A message of the page: `name` is a data-* attribute of `element`; its plural form is chosen by `count`.
  function message(element, name, count, values) {
    var text = null;
    if (count !== undefined) {
      text = element.getAttribute("data-" + name + "-" + plurals.select(count));
      if (text === null) { text = element.getAttribute("data-" + name + "-other"); }
    } else {
      text = element.getAttribute("data-" + name);
    }
    if (text === null) { return null; }
    return text.replace(/\{(\w+)\}/g, function (whole, key) {
      return Object.prototype.hasOwnProperty.call(values || {}, key) ? numbers.format(values[key]) : whole;
    });
  }

  // The records of a CSV text (RFC 4180): each with its raw text, line break included, and its fields.
  // A quoted field may hold commas, doubled quotes and line breaks.
  function csvRecords(text) {
    var records = [];
    var fields = [];
    var field = "";
    var quoted = false;
    var start = 0;
    var i = 0;
    function end(next) {
      fields.push(field);
      records.push({ raw: text.slice(start, next), fields: fields });
      fields = [];
      field = "";
      start = next;
    }
    while (i < text.length) {
      var c = text.charAt(i);
      if (quoted) {
        if (c === '"' && text.charAt(i + 1) === '"') { field += '"'; i += 2; continue; }
        if (c === '"') { quoted = false; i += 1; continue; }
        field += c;
        i += 1;
      } else if (c === '"') {
        quoted = true;
        i += 1;
      } else if (c === ",") {
        fields.push(field);
        field = "";
        i += 1;
      } else if (c === "\r" && text.charAt(i + 1) === "\n") {
        end(i + 2);
        i += 2;
      } else if (c === "\n" || c === "\r") {
        end(i + 1);
        i += 1;
      } else {
        field += c;
        i += 1;
      }
    }
    if (start < text.length) { end(text.length); }
    return records;
  }

  // The CSV at `href` cut down to its header and the records whose id is in `ids`, in that order; a leading
  // byte order mark is kept.
  function filteredCsv(href, ids) {
    return fetch(href).then(function (response) {
      if (!response.ok) { throw new Error(response.status + " " + href); }
      return response.arrayBuffer();
    }).then(function (buffer) {
      var text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(buffer);
      var bom = text.charAt(0) === "\uFEFF" ? "\uFEFF" : "";
      var records = csvRecords(bom ? text.slice(1) : text);
      if (!records.length) { throw new Error("empty " + href); }
      var header = records[0];
      var column = header.fields.indexOf("id");
      if (column === -1) { throw new Error("no id column in " + href); }
      var byId = {};
      records.slice(1).forEach(function (record) { byId[record.fields[column]] = record.raw; });
      var body = ids.filter(function (id) { return Object.prototype.hasOwnProperty.call(byId, id); })
        .map(function (id) { return byId[id]; });
      // The last record of the file may have no line break of its own.
      var lines = [header.raw].concat(body).map(function (raw) { return /[\r\n]$/.test(raw) ? raw : raw + "\r\n"; });
      return bom + lines.join("");
    });
  }

  function save(text, filename) {
    var url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
    var link = document.createElement("a");
    link.href = url;
    link.download = filename;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
  }

  function setup(table) {
    var tbody = table.tBodies[0];
    var rows = Array.prototype.slice.call(tbody.rows);
    var pageSize = parseInt(table.getAttribute("data-page-size") || "0", 10) || rows.length;
    var form = document.querySelector('form.table-filters[data-table="' + table.id + '"]');
    var pager = document.querySelector('nav.table-pager[data-table="' + table.id + '"]');
    var download = document.querySelector('button.table-download[data-table="' + table.id + '"]');
    var status = document.getElementById(table.id + "-status");
    var page = 0;
    var sortColumn = -1;
    var ascending = true;
    var shown = rows;

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
      shown = rows.filter(matches);
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      if (page >= pages) { page = pages - 1; }
      var start = page * pageSize;
      var visible = shown.slice(start, start + pageSize);
      rows.forEach(function (row) { row.hidden = true; });
      visible.forEach(function (row) { row.hidden = false; tbody.appendChild(row); });
      if (status) {
        var text = shown.length === rows.length
          ? message(table, "status", rows.length, { num: rows.length })
          : message(table, "status-filtered", rows.length, { shown: shown.length, num: rows.length });
        if (text !== null) { status.textContent = text; }
      }
      if (pager) {
        pager.textContent = "";
        if (pages > 1) {
          for (var i = 0; i < pages; i++) {
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = numbers.format(i + 1);
            var label = message(pager, "page-label", undefined, { num: i + 1 });
            if (label !== null) { button.setAttribute("aria-label", label); }
            if (i === page) { button.setAttribute("aria-current", "page"); }
            button.addEventListener("click", (function (n) { return function () { page = n; render(); }; })(i));
            pager.appendChild(button);
          }
        }
      }
    }

    // Text sorts as the reader's language does: "Álvarez" before "Zapata", "Ñahui" after "Nuñez".
    var collator = new Intl.Collator(lang, { sensitivity: "base", numeric: true });

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

    // Every row that passes the filters, on whichever page of the pager, in the table's order.
    if (download && window.fetch && window.Blob && window.URL && URL.createObjectURL && window.TextDecoder) {
      download.addEventListener("click", function () {
        var ids = shown.map(function (row) { return row.getAttribute("data-id"); });
        download.disabled = true;
        filteredCsv(download.getAttribute("data-href"), ids).then(function (text) {
          save(text, download.getAttribute("data-filename") || "studies-filtered.csv");
        }).catch(function () {
          var failed = download.getAttribute("data-failed");
          if (status && failed) { status.textContent = failed; }
        }).then(function () { download.disabled = false; });
      });
      if (download.parentNode && download.parentNode.hidden) { download.parentNode.hidden = false; }
      download.hidden = false;
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
