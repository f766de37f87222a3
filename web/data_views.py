"""The data page: what is loaded (sources, load ids, dates, counts), the history of every
load with its diff and, for admins, the upload of a canonical bundle (CSV files, a zip or an
Excel workbook) or CORDIS files with the validation report on the page: a preview (dry run)
shows the diff without writing, and "sync" deletes the source's rows that the upload no
longer holds; the bundle workbook template and the demo workbook."""

from __future__ import annotations

import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path, PurePosixPath

from flask import Blueprint, Response, current_app, render_template, request

from graph_schema.store import planned_ahead
from loaders.bundle import FILES, METADATA_FILE, read_bundle
from loaders.cordis import TARGETS as CORDIS_TARGETS
from loaders.cordis import read_cordis
from loaders.errors import Problem, ValidationFailed
from loaders.workbook import read_workbook
from service.auth import current_user
from service.errors import BadParameter
from service.usecases.params import arg_int

from . import bad_request_page

__all__ = ["data_blueprint"]

data_blueprint = Blueprint("data", __name__, template_folder="templates")

#: The most an uploaded zip may unpack to (a guard against zip bombs).
MAX_UNPACKED_BYTES = 2 * 1024**3

#: File names an upload may hold, per source.
ACCEPTED = {
    "bundle": {spec.file for spec in FILES} | {METADATA_FILE},
    "cordis": {"organization.csv", "project.csv"},
}


def _state():
    return current_app.extensions["synergraph"]


def _overview() -> dict:
    store = _state().store
    return {"loads": store.loads(), "counts": store.counts(),
            "graph_version": store.graph_version(), "history": _history(), "jobs": _jobs()}


# -- the load history --------------------------------------------------------------------
#: Loads per page of the history.
HISTORY_PER_PAGE = 20
#: Example ids shown per label/type and status in an upload's report and the history.
EXAMPLES = 5
_MOVES = ("created", "updated", "deleted", "released")


def _history() -> dict:
    """A page of the load history (``?history_page=N``), newest first, with totals."""
    page = arg_int(request.args, "history_page", 1, 1, 1_000_000)
    total, runs = _state().store.load_runs(skip=(page - 1) * HISTORY_PER_PAGE,
                                           limit=HISTORY_PER_PAGE)
    for run in runs:
        tables = (*run["diff"].get("nodes", {}).values(),
                  *run["diff"].get("relationships", {}).values())
        run["totals"] = {move: sum(t.get(move, 0) for t in tables) for move in _MOVES}
    return {"runs": runs, "total": total, "page": page, "per_page": HISTORY_PER_PAGE,
            "pages": max(1, -(-total // HISTORY_PER_PAGE))}


def _jobs() -> list:
    """What is being computed (:mod:`service.jobs`); reading the graph's stamp first lets
    the service notice a load (this page's upload, the CLI's) and queue the warming."""
    state = _state()
    state.ctx.stamp()
    return state.jobs.jobs()[:50]


def _render(status: int = 200, **extra):
    user = current_user()
    return render_template("data.html", can_upload=bool(user and user.role == "admin"),
                           sources=sorted(ACCEPTED), **_overview(), **extra), status


@data_blueprint.route("/data")
def data_page():
    try:
        return _render()
    except BadParameter as exc:
        return bad_request_page(str(exc))


def _upload_name(files) -> str:
    """The name a bundle upload is read under (its default source ``bundle:<name>``, when
    ``bundle.json`` declares none): the zip's name, or ``upload`` for loose CSV files."""
    names = [PurePosixPath(f.filename or "").name for f in files if f.filename]
    if len(names) == 1 and names[0].lower().endswith(".zip"):
        stem = "".join(c if c.isalnum() or c in "._-" else "-" for c in names[0][:-4])
        if stem.strip("._-"):
            return stem[:100]
    return "upload"


def _unpack(files, folder: Path, source: str) -> list[Problem]:
    """Save the uploaded files (CSV files, or one zip) into ``folder``."""
    problems: list[Problem] = []
    accepted = ACCEPTED[source]
    # where each saved file came from, to refuse two files of the same name
    origin: dict[str, str] = {}

    def claim(inner: str, where: str) -> bool:
        if inner in origin:
            problems.append(Problem(where, None, None, None,
                                    f"a second {inner} in the upload (the first is "
                                    f"{origin[inner]}): send exactly one of each file"))
            return False
        origin[inner] = where
        return True

    for upload in files:
        name = PurePosixPath(upload.filename or "").name
        if not name:
            continue
        if name.lower().endswith(".xlsx") and source == "bundle":
            # a whole bundle in one workbook (loaders/workbook.py checks it as a zip)
            if claim("(workbook)", name):
                upload.save(folder / name)
            continue
        if name.lower().endswith(".zip"):
            try:
                with zipfile.ZipFile(upload.stream) as archive:
                    unpacked = sum(m.file_size for m in archive.infolist())
                    if unpacked > MAX_UNPACKED_BYTES:
                        problems.append(Problem(name, None, None, None,
                                                f"unpacks to {unpacked:,} bytes, more than "
                                                f"{MAX_UNPACKED_BYTES:,} allowed"))
                        continue
                    for member in archive.infolist():
                        inner = PurePosixPath(member.filename).name
                        if member.is_dir() or not inner:
                            continue
                        if inner not in accepted:
                            problems.append(Problem(f"{name}/{member.filename}", None, None,
                                                    None, "not a file of a " + source +
                                                    " upload (expected: " +
                                                    ", ".join(sorted(accepted)) + ")"))
                            continue
                        if claim(inner, f"{name}/{member.filename}"):
                            (folder / inner).write_bytes(archive.read(member))
            except zipfile.BadZipFile:
                problems.append(Problem(name, None, None, None, "not a readable zip file"))
            continue
        if name not in accepted:
            problems.append(Problem(name, None, None, None,
                                    f"not a file of a {source} upload (expected: "
                                    + ", ".join(sorted(accepted)) + ")"))
            continue
        if claim(name, name):
            upload.save(folder / name)
    return problems


@data_blueprint.route("/data/upload", methods=["POST"])
def upload():
    source = request.form.get("source", "")
    if source not in ACCEPTED:
        return _render(400, problems=[Problem("(form)", None, "source", source,
                                              "choose bundle or cordis")], source=source)
    files = request.files.getlist("files")
    if not any(f.filename for f in files):
        return _render(400, problems=[Problem("(form)", None, "files", None,
                                              "no file was sent")], source=source)
    store = _state().store
    with tempfile.TemporaryDirectory(prefix="synergraph-upload-") as tmp:
        folder = Path(tmp) / _upload_name(files)
        folder.mkdir()
        problems = _unpack(files, folder, source)
        workbooks = sorted(folder.glob("*.xlsx"))
        if workbooks and len(list(folder.iterdir())) > 1:
            problems.append(Problem(workbooks[0].name, None, None, None,
                                    "send a workbook alone: it holds the whole bundle"))
        if problems:
            return _render(400, problems=problems, source=source)
        try:
            if source == "cordis":
                with planned_ahead(store, CORDIS_TARGETS):
                    dataset, warnings = read_cordis(folder)
                synthetic = False
            elif workbooks:
                dataset = read_workbook(workbooks[0], known_ids=store.existing_ids)
                warnings = []
                synthetic = any(r.get("synthetic") for r in dataset.actors)
            else:
                dataset, warnings = read_bundle(folder, known_ids=store.existing_ids), []
                synthetic = any(r.get("synthetic") for r in dataset.actors)
        except ValidationFailed as exc:
            return _render(400, problems=exc.problems, source=source)
        user = current_user()
        report = store.write(dataset, kind=source, synthetic=synthetic,
                             sync=bool(request.form.get("sync")),
                             dry_run=bool(request.form.get("preview")), examples=EXAMPLES,
                             by=user.username if user else None, via="web")
    return _render(report=report.as_dict(), warnings=warnings, source=source,
                   sync_checked=bool(request.form.get("sync")))


# -- workbooks to start from ------------------------------------------------------------
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@lru_cache(maxsize=2)
def _workbook(kind: str) -> bytes:
    from loaders.demo import demo_tables
    from loaders.workbook import template_bytes, workbook_bytes

    if kind == "template":
        return template_bytes()
    tables, meta, _ = demo_tables()
    return workbook_bytes(tables, meta)


@data_blueprint.route("/data/bundle-template.xlsx")
def workbook_template():
    """An empty bundle workbook: a README sheet describing every column, the headers."""
    return _download(_workbook("template"), "synergraph-bundle-template.xlsx")


@data_blueprint.route("/data/demo-bundle.xlsx")
def workbook_demo():
    """The demo ecosystem (synthetic) as a bundle workbook, an example to start from."""
    return _download(_workbook("demo"), "synergraph-demo-bundle.xlsx")


def _download(content: bytes, name: str) -> Response:
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
