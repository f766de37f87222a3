/* The progress block of a page whose figures are computed in the background: poll the
   job's URL (GET /api/v1/jobs/<id>), show its phase and progress, reload when it is done.
   Without JavaScript, a <noscript> meta refresh reloads the page instead. */
(function () {
  "use strict";
  function percent(value) { return Math.round((value || 0) * 100) + " %"; }
  function start(block) {
    var url = block.getAttribute("data-job-url");
    var message = block.querySelector("[data-field=message]");
    var pct = block.querySelector("[data-field=percent]");
    var bar = block.querySelector("progress");
    function poll() {
      fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) {
          if (response.status === 404) { window.location.reload(); return null; }
          return response.json();
        })
        .then(function (body) {
          if (!body || !body.job) { return; }
          var job = body.job;
          block.setAttribute("data-state", job.state);
          if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
          if (message) { message.textContent = job.message; }
          if (pct) { pct.textContent = percent(job.progress); }
          if (bar) { bar.value = job.progress; }
          window.setTimeout(poll, job.state === "queued" ? 3000 : 1500);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, 1000);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var block = document.getElementById("job-progress");
    if (block && block.getAttribute("data-state") !== "failed") { start(block); }
  });
})();
