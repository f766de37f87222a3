"""Long analyses as background jobs: the 202 contract and ``/api/v1/jobs``.

A route whose answer may take more than about 2 s calls :func:`respond`:

- the answer is cached (memory or disk), or the group is small
  (``SYNERGRAPH_JOBS_INLINE_MAX_ACTORS``): ``200`` with the body, computed now if needed;
- otherwise the computation becomes a job (:mod:`service.jobs`, deduplicated per graph
  version, question and parameters), the request waits up to ``?wait=SECONDS`` (0-60,
  default 0) for it, and answers ``202 Accepted`` with ``Location: /api/v1/jobs/<id>``,
  ``Retry-After`` and ``{"job": {...}}`` when it is not done.

``GET /api/v1/jobs/<id>`` answers the job (with ``"result"``: exactly the original route's
200 body, once done); asking the original URL again then answers 200 from the cache.
``GET /api/v1/jobs`` lists the jobs (administrators).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, jsonify, request

from service.jobs import PRIORITY_REQUEST, Job, ask
from service.usecases.params import arg_int

from . import api_blueprint, problem
from .openapi import arr, documented, obj, param

__all__ = ["JOB_SCHEMA", "WAIT_PARAM", "accepted", "respond"]

WAIT_PARAM = param("wait", type_="integer", minimum=0, maximum=60,
                   description="seconds to wait for a long computation before answering "
                               "202 with a job URL (default 0)")
JOB_SCHEMA = obj({
    "id": {"type": "string"}, "url": {"type": "string"},
    "state": {"type": "string", "enum": ["queued", "running", "done", "failed"]},
    "progress": {"type": "number", "minimum": 0, "maximum": 1},
    "message": {"type": "string"}, "what": {"type": "string"},
    "error": {"type": "string"}}, ["id", "url", "state", "progress", "message", "what"])
#: The 202 answer of a job-capable route (add it to the route's documented responses).
ACCEPTED = (202, ("Accepted: the figures are being computed; poll the job's URL "
                  "(Location header)", obj({"job": JOB_SCHEMA}, ["job"])))


def _state():
    return current_app.extensions["synergraph"]


def retry_after(job: Job) -> int:
    """Seconds a client should wait before asking again (longer for a queued job)."""
    return 2 if job.state == "running" else 5


def accepted(job: Job):
    response = jsonify({"job": job.as_dict()})
    response.status_code = 202
    response.headers["Location"] = job.url
    response.headers["Retry-After"] = str(retry_after(job))
    return response


def respond(name: str, params: Hashable, args: tuple, render: Callable[[], Any], *,
            what: str, actors: int, process: bool = True,
            ready: Callable[[], Any] | None = None, task: str | None = None):
    """200 with ``render()`` when the answer is ready, else 202 with the job.

    The task ``name`` of :mod:`service.tasks` with ``args`` does the expensive work (in the
    request, in a worker process or in a thread); its completion is cached under
    ``("api:" + name, params)``.
    ``render()`` builds the response body from the (now cached) use cases, in the request.
    ``actors`` is the size of the graph the work runs on (the cheap estimate of its cost).
    ``ready()``, when given, is the response once the answer is ready (a file, say), and
    ``render()`` then only the job's ``result``. ``task`` names another task than ``name``
    (one that prepares what ``render()`` reads).
    """
    wait = arg_int(request.args, "wait", 0, 0, 60)
    job = ask(_state(), "api:" + name, params, (task or name, args), what=what, actors=actors,
              wait=wait, priority=PRIORITY_REQUEST, render=render, process=process)
    if job is None:
        return ready() if ready is not None else jsonify(render())
    if job.state == "failed":  # failed within ?wait=: say so now (asking again retries)
        return problem(500, "job-failed", "The computation failed", job.error or "",
                       job=job.as_dict())
    return accepted(job)


@api_blueprint.route("/jobs/<job_id>")
@documented("A background job: its state and progress, and its result once done",
            tags=("jobs",), errors=(404,),
            responses={200: ("The job (and ``result`` when done)",
                             obj({"job": JOB_SCHEMA, "result": {}}, ["job"]))})
def job(job_id: str):
    found = _state().jobs.get(job_id)
    if found is None:
        return problem(404, "not-found", "Unknown job",
                       f"no job {job_id!r} (finished jobs are forgotten after a while, and "
                       "when the graph changes)")
    body: dict[str, Any] = {"job": found.as_dict()}
    if found.state == "done":
        body["result"] = found.render() if found.render is not None else found.result
        body["job"]["state"] = "done"
        return jsonify(body)
    response = jsonify(body)
    if found.state in ("queued", "running"):
        response.headers["Retry-After"] = str(retry_after(found))
    return response


@api_blueprint.route("/jobs")
@documented("Every background job the service knows, newest first (administrators)",
            tags=("jobs",), errors=(),
            responses={200: ("Jobs", obj({"items": arr(JOB_SCHEMA),
                                          "counts": {"type": "object"},
                                          "workers": {"type": "integer"}},
                                         ["items", "counts", "workers"]))})
def admin_jobs():
    runner = _state().jobs
    items = [j.as_dict() for j in runner.jobs()]
    return jsonify({"items": items, "counts": runner.counts(), "workers": runner.workers})
