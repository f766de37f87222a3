/* The progress block of a page whose figures are computed in the background: poll the
   job's URL (GET /api/v1/jobs/<id>), show its phase and progress, reload when it is done.
   Without JavaScript, a <noscript> meta refresh reloads the page instead. */
(function () {
  "use strict";
  function percent(value) { return Math.round((value || 0) * 100) + " %"; }
  /* A job's message in the page's language (data-phases, the server's JOB_PHASES): the
     words of the longest phase the message is or starts with (then a space), else the
     message as it is, as the job_phase filter renders it first. */
  function phase(message, phases) {
    var best = null;
    Object.keys(phases).forEach(function (key) {
      if ((message === key || message.indexOf(key + " ") === 0) &&
          (best === null || key.length > best.length)) { best = key; }
    });
    return best === null ? message : phases[best];
  }
  function start(block) {
    var url = block.getAttribute("data-job-url");
    var message = block.querySelector("[data-field=message]");
    var pct = block.querySelector("[data-field=percent]");
    var bar = block.querySelector("progress");
    var phases = {};
    try { phases = JSON.parse(block.getAttribute("data-phases") || "{}"); } catch (e) { phases = {}; }
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
          if (message) { message.textContent = phase(job.message || "", phases); }
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
