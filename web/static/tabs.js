/* Keyboard navigation of the tab list (WAI-ARIA tabs pattern): arrow keys, Home and End
   move between tabs; each tab is a link, so Enter opens it and the page works without JS. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[role=tablist]").forEach(function (list) {
      var tabs = Array.prototype.slice.call(list.querySelectorAll("[role=tab]"));
      tabs.forEach(function (tab, i) {
        tab.addEventListener("keydown", function (e) {
          var next = null;
          if (e.key === "ArrowRight") { next = tabs[(i + 1) % tabs.length]; }
          else if (e.key === "ArrowLeft") { next = tabs[(i - 1 + tabs.length) % tabs.length]; }
          else if (e.key === "Home") { next = tabs[0]; }
          else if (e.key === "End") { next = tabs[tabs.length - 1]; }
          if (next) { e.preventDefault(); next.focus(); }
        });
      });
    });
  });
})();
