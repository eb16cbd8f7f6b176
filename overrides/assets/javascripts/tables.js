/* Sort, filter and page the tables of studies in the browser, and download the rows that pass the filters.
   No dependencies. Rows carry data-* attributes (id, year, trends, group, language); the form's
   <select name="…"> values are matched against them.
   A long table (evidence/lists.py) comes with its first rows only: its data-total says how many it has, its
   data-index where the JSON index of all of them is. The index is fetched once, when the reader first sorts,
   filters, turns the page or downloads (or arrives with filters in the address); from then on the table works over
   every row. A row of the index is the row of the page as a tree, [tag, {attribute: value}, child, …] or a text
   (stored column by column, what the rows repeat stored once: see rowsOf), built here with createElement,
   setAttribute and createTextNode only: its text is never read as markup.
   Every word this script writes comes from the page, in its language: the table's data-status-* messages
   (one per plural category of Intl.PluralRules, "{num}" and "{shown}" standing for the numbers), its
   data-index-failed, the pager's data-page-label, the download button's data-failed, and the rows of the index,
   which the generator writes in the page's language. */
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

  // --- The index of a long table --------------------------------------------------------------------------------

  // One request per index, shared by the tables that name it; after a failure the next interaction tries again.
  var indexes = {};
  function fetchIndex(href) {
    var url = new URL(href, document.baseURI).href;
    if (!indexes[url]) {
      indexes[url] = window.fetch
        ? fetch(url).then(function (response) {
          if (!response.ok) { throw new Error(response.status + " " + url); }
          return response.json();
        })
        : Promise.reject(new Error("no fetch"));
      indexes[url].catch(function () { delete indexes[url]; });
    }
    return indexes[url];
  }

  // What a row of the index may be made of: the elements and attributes the templates write in rows of studies.
  var TAGS = ["tr", "td", "th", "a", "span", "p", "i", "em", "b", "strong", "code", "br"];
  var ATTRIBUTES = ["class", "lang", "href", "scope", "colspan", "rowspan"];

  // A link of the index leads where the page's own links may: to this site, or to an https:// address.
  function safeHref(value) {
    try {
      var url = new URL(value, document.baseURI);
      return url.protocol === "https:" || url.protocol === window.location.protocol;
    } catch (error) {
      return false;
    }
  }

  function allowed(node) {
    return Array.isArray(node) && TAGS.indexOf(node[0]) !== -1;
  }

  // The element a node of the index stands for; a text stays a text.
  function build(node) {
    if (typeof node === "string") { return document.createTextNode(node); }
    if (!allowed(node)) { return document.createTextNode(""); }
    var element = document.createElement(node[0]);
    var attributes = node[1] || {};
    Object.keys(attributes).forEach(function (name) {
      var value = String(attributes[name]);
      if (ATTRIBUTES.indexOf(name) === -1 && !/^data-[a-z0-9-]+$/.test(name)) { return; }
      if (name === "href" && !safeHref(value)) { return; }
      element.setAttribute(name, value);
    });
    for (var i = 2; i < node.length; i++) { element.appendChild(build(node[i])); }
    return element;
  }

  // The text of a node, as textContent gives it for the element `build` makes.
  function nodeText(node) {
    if (typeof node === "string") { return node; }
    if (!allowed(node)) { return ""; }
    var text = "";
    for (var i = 2; i < node.length; i++) { text += nodeText(node[i]); }
    return text;
  }

  // The cell under a column, counting the columns a cell spans.
  function cellAt(cells, column, span) {
    var at = 0;
    for (var i = 0; i < cells.length; i++) {
      at += span(cells[i]);
      if (column < at) { return cells[i]; }
    }
    return null;
  }

  // A row of the table, whether the page wrote it or it comes from the index: what the filters and the sorting read.
  function fromRow(row) {
    var cells = Array.prototype.slice.call(row.cells);
    return {
      element: row,
      text: row.textContent.toLowerCase(),
      attribute: function (name) { return row.getAttribute(name); },
      key: function (column) {
        var cell = cellAt(cells, column, function (c) { return c.colSpan || 1; });
        return cell ? cell.getAttribute("data-sort") || cell.textContent.trim() : "";
      }
    };
  }

  function fromNode(node) {
    var attributes = (Array.isArray(node) && node[1]) || {};
    var cells = Array.isArray(node) ? node.slice(2).filter(function (child) {
      return Array.isArray(child) && (child[0] === "td" || child[0] === "th");
    }) : [];
    var record = {
      element: null,
      text: nodeText(node).toLowerCase(),
      attribute: function (name) {
        return Object.prototype.hasOwnProperty.call(attributes, name) ? String(attributes[name]) : null;
      },
      key: function (column) {
        var cell = cellAt(cells, column, function (c) { return parseInt((c[1] || {}).colspan, 10) || 1; });
        if (!cell) { return ""; }
        return (cell[1] || {})["data-sort"] || nodeText(cell).trim();
      }
    };
    record.build = function () { return build(node); };
    return record;
  }

  // The rows of the table `id` of an index (evidence/lists.py): {"parts": [part, …]}, each part the next rows of
  // the page's tables, stored column by column: {"pool": [value, …], "tables": {id: {"tag": "tr", "rows": N,
  // "attributes": {name: [each row's value], …}, "children": [[each row's first child], [second], …]}}}, null
  // where a row lacks the attribute or the child, and no entry for a table without rows in that part. A number n,
  // wherever a text, a node or an attribute object would be, stands for pool[n] of its part, an entry of the pool
  // referring only to entries before it. The rows come out as trees like any other: what a pool holds goes
  // through `build`'s allow-list as the rest does.
  function rowsOf(index, id) {
    if (!index || !Array.isArray(index.parts)) { throw new Error("an index without parts"); }
    var rows = [];
    index.parts.forEach(function (part) {
      var tables = part && part.tables;
      if (!tables || typeof tables !== "object") { throw new Error("a part of the index without tables"); }
      if (Object.prototype.hasOwnProperty.call(tables, id)) { rows = rows.concat(partRows(part, tables[id])); }
    });
    return rows;
  }

  function partRows(part, stored) {
    if (!stored || !Array.isArray(part.pool) || !stored.attributes || !Array.isArray(stored.children)) {
      throw new Error("no rows for this table in a part of its index");
    }
    var pool = [];
    // A stored value with its numbers replaced by the entries they stand for, among the first `limit` of the pool.
    function value(stored, limit) {
      if (typeof stored === "number") {
        if (!(stored % 1 === 0 && stored >= 0 && stored < limit)) { throw new Error("no entry " + stored + " in the pool"); }
        return pool[stored];
      }
      if (Array.isArray(stored)) { return stored.map(function (item) { return value(item, limit); }); }
      if (stored && typeof stored === "object") {
        var copy = Object.create(null);
        Object.keys(stored).forEach(function (name) { copy[name] = value(stored[name], limit); });
        return copy;
      }
      return stored;
    }
    function column(stored) {
      if (!Array.isArray(stored)) { throw new Error("a column of the index is not a list"); }
      return value(stored, pool.length);
    }
    part.pool.forEach(function (entry) { pool.push(value(entry, pool.length)); });
    var names = Object.keys(stored.attributes);
    var attributes = names.map(function (name) { return column(stored.attributes[name]); });
    var children = stored.children.map(column);
    var rows = [];
    for (var row = 0; row < stored.rows; row++) {
      var own = Object.create(null);
      var node = [stored.tag, own];
      for (var a = 0; a < names.length; a++) {
        if (attributes[a][row] !== null && attributes[a][row] !== undefined) { own[names[a]] = attributes[a][row]; }
      }
      for (var c = 0; c < children.length; c++) {
        if (children[c][row] !== null && children[c][row] !== undefined) { node.push(children[c][row]); }
      }
      rows.push(node);
    }
    return rows;
  }

  function element(record) {
    if (!record.element) { record.element = record.build(); }
    return record.element;
  }

  // The pages the pager offers: all of them up to nine, else the first, the last and two either side of the
  // current one, with null where numbers are left out.
  function pageNumbers(pages, current) {
    var numbers = [];
    for (var i = 0; i < pages; i++) {
      if (pages <= 9 || i === 0 || i === pages - 1 || Math.abs(i - current) <= 2) {
        if (numbers.length && i - numbers[numbers.length - 1] === 2) { numbers.push(i - 1); }
        else if (numbers.length && i - numbers[numbers.length - 1] > 2) { numbers.push(null); }
        numbers.push(i);
      }
    }
    return numbers;
  }

  function setup(table) {
    var tbody = table.tBodies[0];
    var records = Array.prototype.slice.call(tbody.rows).map(fromRow);
    var total = parseInt(table.getAttribute("data-total") || "", 10) || records.length;
    var index = table.getAttribute("data-index");
    // Whether every row is here: in the page, or, for a long table, once its index has come.
    var complete = records.length >= total || !index;
    var loading = false;
    var failed = false;
    var pending = [];
    var pageSize = parseInt(table.getAttribute("data-page-size") || "0", 10) || total;
    var form = document.querySelector('form.table-filters[data-table="' + table.id + '"]');
    var pager = document.querySelector('nav.table-pager[data-table="' + table.id + '"]');
    var download = document.querySelector('button.table-download[data-table="' + table.id + '"]');
    var status = document.getElementById(table.id + "-status");
    var page = 0;
    var sortColumn = -1;
    var ascending = true;
    var shown = records;

    function matches(record) {
      if (!form) { return true; }
      var ok = true;
      Array.prototype.forEach.call(form.elements, function (field) {
        var value = (field.value || "").trim().toLowerCase();
        if (!value || !field.name) { return; }
        if (field.name === "q") {
          ok = ok && record.text.indexOf(value) !== -1;
        } else {
          var have = (record.attribute("data-" + field.name) || "").toLowerCase().split(" ");
          ok = ok && have.indexOf(value) !== -1;
        }
      });
      return ok;
    }

    // Run `action` (which changes what is shown) over every row: at once, or when the index has come.
    function whenComplete(action) {
      if (complete) {
        action();
        render();
        return;
      }
      pending.push(action);
      if (loading) { return; }
      loading = true;
      failed = false;
      render();
      fetchIndex(index).then(function (data) {
        records = rowsOf(data, table.id).map(fromNode);
        tbody.textContent = "";
        complete = true;
      }).catch(function () {
        failed = true;
      }).then(function () {
        loading = false;
        var actions = pending;
        pending = [];
        if (complete) { actions.forEach(function (run) { run(); }); }
        render();
      });
    }

    function render() {
      // Before the index has come, the rows of the page are its first page, unfiltered.
      shown = complete ? records.filter(matches) : records;
      var all = complete ? records.length : total;
      var count = complete ? shown.length : total;
      var pages = Math.max(1, Math.ceil(count / pageSize));
      if (page >= pages) { page = pages - 1; }
      var start = complete ? page * pageSize : 0;
      var visible = shown.slice(start, start + pageSize);
      tbody.textContent = "";
      visible.forEach(function (record) { tbody.appendChild(element(record)); });
      if (status) {
        var text;
        if (loading) {
          text = message(table, "status-loading", total, { num: total });
        } else if (failed) {
          text = message(table, "index-failed");
        } else {
          text = shown.length === all || !complete
            ? message(table, "status", all, { num: all })
            : message(table, "status-filtered", all, { shown: shown.length, num: all });
        }
        if (text !== null) { status.textContent = text; }
      }
      if (pager) {
        // A reader who turned the page with the keyboard stays on the pager, on the page now shown.
        var focused = pager.contains(document.activeElement);
        pager.textContent = "";
        if (pages > 1) {
          pageNumbers(pages, page).forEach(function (n) {
            if (n === null) {
              var gap = document.createElement("span");
              gap.className = "gap";
              gap.setAttribute("aria-hidden", "true");
              gap.textContent = "…";
              pager.appendChild(gap);
              return;
            }
            var button = document.createElement("button");
            button.type = "button";
            button.textContent = numbers.format(n + 1);
            var label = message(pager, "page-label", undefined, { num: n + 1 });
            if (label !== null) { button.setAttribute("aria-label", label); }
            if (n === page) { button.setAttribute("aria-current", "page"); }
            button.addEventListener("click", function () { whenComplete(function () { page = n; }); });
            pager.appendChild(button);
            if (focused && n === page) { button.focus(); }
          });
        }
      }
    }

    // Text sorts as the reader's language does: "Álvarez" before "Zapata", "Ñahui" after "Nuñez".
    var collator = new Intl.Collator(lang, { sensitivity: "base", numeric: true });

    var headings = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headings, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      var numeric = th.getAttribute("data-type") === "number";
      button.addEventListener("click", function () {
        whenComplete(function () {
          ascending = sortColumn === column ? !ascending : true;
          sortColumn = column;
          Array.prototype.forEach.call(headings, function (other) { other.setAttribute("aria-sort", "none"); });
          th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
          // Rows that sort alike keep their order: sorting by one column, then another, orders by both.
          var keyed = records.map(function (record, position) {
            var key = record.key(column);
            return { record: record, key: numeric ? parseFloat(key) || 0 : key, position: position };
          });
          keyed.sort(function (a, b) {
            var order = numeric ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : collator.compare(a.key, b.key);
            return (ascending ? order : -order) || a.position - b.position;
          });
          records = keyed.map(function (item) { return item.record; });
          page = 0;
        });
      });
    });

    render();

    if (form) {
      // Filters can come from the address, e.g. findings/?trends=citizen-perception&year=2022
      var preset = new URLSearchParams(window.location.search);
      var filtered = false;
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && preset.has(field.name)) {
          field.value = preset.get(field.name);
          filtered = filtered || Boolean(field.value);
        }
      });
      form.addEventListener("input", function () { whenComplete(function () { page = 0; }); });
      form.addEventListener("change", function () { whenComplete(function () { page = 0; }); });
      form.addEventListener("submit", function (event) { event.preventDefault(); });
      if (filtered) { whenComplete(function () { page = 0; }); }
    }

    // Every row that passes the filters, on whichever page of the pager, in the table's order.
    if (download && window.fetch && window.Blob && window.URL && URL.createObjectURL && window.TextDecoder) {
      download.addEventListener("click", function () {
        whenComplete(function () {
          var ids = records.filter(matches).map(function (record) { return record.attribute("data-id"); });
          download.disabled = true;
          filteredCsv(download.getAttribute("data-href"), ids).then(function (text) {
            save(text, download.getAttribute("data-filename") || "studies-filtered.csv");
          }).catch(function () {
            var failure = download.getAttribute("data-failed");
            if (status && failure) { status.textContent = failure; }
          }).then(function () { download.disabled = false; });
        });
      });
      if (download.parentNode && download.parentNode.hidden) { download.parentNode.hidden = false; }
      download.hidden = false;
    }
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
