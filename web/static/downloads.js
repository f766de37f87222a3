/* Download links of files that a background job writes (the partnership network of a large
   group): the link asks first (HEAD). A file that is ready downloads at once; a 202 names
   the job, whose progress is shown beside the link until the file is written, and then the
   browser downloads it. Without JavaScript the link downloads directly: a file not ready
   yet answers the job as JSON, and the same link gives the file once it is done. */
(function () {
  "use strict";
  function statusOf(link) {
    var span = link.parentNode.querySelector(".download-status");
    if (!span) {
      span = document.createElement("span");
      span.className = "download-status";
      span.setAttribute("role", "status");
      link.parentNode.appendChild(span);
    }
    return span;
  }
  function text(link, name) {
    var holder = link.closest("[data-msg-" + name + "]");
    return holder ? holder.getAttribute("data-msg-" + name) : "";
  }
  function finish(link) {
    link.removeAttribute("aria-busy");
    window.location.href = link.href;  /* answered with Content-Disposition: attachment */
  }
  function poll(link, jobUrl, status) {
    fetch(jobUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (body) {
        var job = body.job;
        if (!job) { throw new Error("no job"); }
        if (job.state === "done") {
          status.textContent = "";
          finish(link);
          return;
        }
        if (job.state === "failed") {
          link.removeAttribute("aria-busy");
          status.textContent = text(link, "failed") + " " + (job.error || "");
          return;
        }
        status.textContent = text(link, "preparing") + " " + link.textContent.trim() + ": " +
          Math.round((job.progress || 0) * 100) + " %";
        window.setTimeout(function () { poll(link, jobUrl, status); },
                          job.state === "queued" ? 3000 : 1500);
      })
      .catch(function () { window.setTimeout(function () { poll(link, jobUrl, status); }, 5000); });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-job-download]") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    if (link.getAttribute("aria-busy") === "true") { return; }
    link.setAttribute("aria-busy", "true");
    fetch(link.href, {method: "HEAD", credentials: "same-origin"})
      .then(function (response) {
        var job = response.headers.get("Location");
        if (response.status === 202 && job) {
          var status = statusOf(link);
          status.textContent = text(link, "preparing") + " " + link.textContent.trim();
          poll(link, job, status);
        } else {
          finish(link);
        }
      })
      .catch(function () { finish(link); });
  });
})();
