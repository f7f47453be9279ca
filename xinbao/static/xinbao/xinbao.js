// What the pages need from script, with no inline script or style (Content-Security-Policy):
// a bar's width comes from its data-xb-width attribute (a percentage), on the first load and in
// every part htmx swaps in.
(function () {
  "use strict";
  function widths(root) {
    root.querySelectorAll("[data-xb-width]").forEach(function (el) {
      var value = parseFloat(el.dataset.xbWidth);
      if (!isNaN(value)) el.style.width = Math.max(0, Math.min(100, value)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { widths(document); });
  document.addEventListener("htmx:load", function (event) { widths(event.target); });
})();
