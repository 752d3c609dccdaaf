// wxaudit serve: progressive enhancement only; every page works without
// this script.
//   /        focus the search box
//   j, k     move the selection down, up a list (table.nav-list rows)
//   Enter    open the selected row's first link
//   click a column header of a table.sortable to sort its rows (again to
//   reverse); Enter or Space on a focused header does the same.
"use strict";

function typing(t) {
  return t instanceof HTMLInputElement || t instanceof HTMLSelectElement ||
    t instanceof HTMLTextAreaElement || (t instanceof HTMLElement && t.isContentEditable);
}

function navRows() {
  var list = document.querySelector("table.nav-list");
  return list ? Array.prototype.slice.call(list.tBodies[0].rows) : [];
}

function select(rows, i) {
  rows.forEach(function (r) { r.classList.remove("sel"); r.removeAttribute("aria-selected"); });
  var row = rows[i];
  row.classList.add("sel");
  row.setAttribute("aria-selected", "true");
  row.scrollIntoView({ block: "nearest" });
}

document.addEventListener("keydown", function (e) {
  if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target)) {
    return;
  }
  if (e.key === "/") {
    var box = document.querySelector(".search input");
    if (box) {
      e.preventDefault();
      box.focus();
      box.select();
    }
    return;
  }
  var rows = navRows();
  if (rows.length === 0) {
    return;
  }
  var cur = rows.findIndex(function (r) { return r.classList.contains("sel"); });
  if (e.key === "j") {
    select(rows, cur < 0 ? 0 : Math.min(cur + 1, rows.length - 1));
  } else if (e.key === "k") {
    select(rows, cur < 0 ? 0 : Math.max(cur - 1, 0));
  } else if (e.key === "Enter" && cur >= 0 && !(e.target instanceof HTMLAnchorElement) && !(e.target instanceof HTMLButtonElement)) {
    var a = rows[cur].querySelector("a[href]");
    if (a) {
      e.preventDefault();
      window.location.href = a.href;
    }
  }
});

// Sorting: by the cell's data-sort, else its text; numbers (right-aligned
// .num columns, or cells that read as numbers) compare as numbers.
function cellKey(row, i) {
  var c = row.cells[i];
  if (!c) {
    return "";
  }
  return c.hasAttribute("data-sort") ? c.getAttribute("data-sort") : c.textContent.trim();
}

function sortBy(table, th, i) {
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var asc = th.getAttribute("aria-sort") !== "ascending";
  var numeric = th.classList.contains("num");
  rows.sort(function (a, b) {
    var x = cellKey(a, i), y = cellKey(b, i), d;
    var nx = parseFloat(x), ny = parseFloat(y);
    if (numeric && !isNaN(nx) && !isNaN(ny)) {
      d = nx - ny;
    } else {
      d = x.localeCompare(y, undefined, { numeric: true, sensitivity: "base" });
    }
    return asc ? d : -d;
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
  th.setAttribute("aria-sort", asc ? "ascending" : "descending");
  rows.forEach(function (r) { body.appendChild(r); });
}

document.querySelectorAll("table.sortable").forEach(function (table) {
  if (!table.tHead || !table.tBodies[0]) {
    return;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
    th.classList.add("sortable-h");
    th.tabIndex = 0;
    th.title = "sort by this column (the rows shown)";
    th.addEventListener("click", function () { sortBy(table, th, i); });
    th.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        sortBy(table, th, i);
      }
    });
  });
});
