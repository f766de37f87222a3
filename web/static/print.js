// The print page's "Print" button (no inline handler: the Content-Security-Policy forbids them).
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (button) {
    button.addEventListener("click", function () { window.print(); });
  }
})();
