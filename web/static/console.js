/* Niceties of the Cypher console; the page works without this script (the form posts to
   the server, which renders the results). */
(function () {
  "use strict";

  function insertAtCursor(area, text) {
    var start = area.selectionStart, end = area.selectionEnd;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.selectionStart = area.selectionEnd = start + text.length;
    area.focus();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("console-form");
    var query = document.getElementById("query");
    var parameters = document.getElementById("parameters");
    var picker = document.getElementById("example");
    var source = document.getElementById("console-examples");
    if (!form || !query) { return; }

    // Picking an example fills the editor at once (without JS, the Load button does it).
    var examples = source ? JSON.parse(source.textContent) : [];
    if (picker) {
      var load = document.getElementById("load-example");
      if (load) { load.hidden = true; }
      picker.addEventListener("change", function () {
        var chosen = examples.filter(function (e) { return e.id === picker.value; })[0];
        if (!chosen) { return; }
        query.value = chosen.query;
        parameters.value = JSON.stringify(chosen.parameters, null, 2);
        form.querySelector("input[name=example]").value = chosen.id;
        var note = document.getElementById("example-description");
        if (!note) {
          note = document.createElement("p");
          note.className = "hint";
          note.id = "example-description";
          picker.form.insertAdjacentElement("afterend", note);
        }
        note.textContent = chosen.description;
        query.focus();
      });
    }

    // Ctrl+Enter (Cmd+Enter) runs; Tab in the editor indents instead of leaving it.
    [query, parameters].forEach(function (area) {
      area.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          document.getElementById("run").click();
        } else if (event.key === "Tab" && !event.shiftKey && area === query) {
          event.preventDefault();
          insertAtCursor(area, "  ");
        }
      });
    });

    // Clicking a label, type or key of the schema inserts it at the cursor.
    document.querySelectorAll("button.insert").forEach(function (button) {
      button.addEventListener("click", function () {
        insertAtCursor(query, button.dataset.insert);
      });
    });

    // Check the parameters are a JSON object before posting.
    form.addEventListener("submit", function (event) {
      var text = parameters.value.trim();
      if (!text) { return; }
      try {
        var value = JSON.parse(text);
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          throw new Error("not an object");
        }
        parameters.setCustomValidity("");
      } catch (error) {
        event.preventDefault();
        parameters.setCustomValidity("Parameters must be a JSON object, e.g. {\"cluster\": \"mnc\"}");
        parameters.reportValidity();
        parameters.addEventListener("input", function () { parameters.setCustomValidity(""); },
                                    { once: true });
      }
    });
  });
})();
