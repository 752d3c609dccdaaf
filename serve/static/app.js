// wxaudit serve: progressive enhancement only; every page works without
// this script. "/" moves the focus to the search box.
"use strict";
document.addEventListener("keydown", function (e) {
  var t = e.target;
  if (e.key !== "/" || t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) {
    return;
  }
  var box = document.querySelector(".search input");
  if (box) {
    e.preventDefault();
    box.focus();
  }
});
