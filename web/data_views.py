"""The data page: what is loaded (sources, load ids, dates, counts) and, for admins, the
upload of a canonical bundle or CORDIS files with the validation report on the page."""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from flask import Blueprint, current_app, render_template, request

from loaders.bundle import FILES, METADATA_FILE, read_bundle
from loaders.cordis import read_cordis
from loaders.errors import Problem, ValidationFailed
from service.auth import current_user

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
            "graph_version": store.graph_version(),
            "jobs": _jobs()}


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
    return _render()


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
        folder = Path(tmp)
        problems = _unpack(files, folder, source)
        if problems:
            return _render(400, problems=problems, source=source)
        try:
            if source == "cordis":
                dataset, warnings = read_cordis(folder)
                synthetic = False
            else:
                dataset, warnings = read_bundle(folder, known_ids=store.existing_ids), []
                synthetic = any(r.get("synthetic") for r in dataset.actors)
        except ValidationFailed as exc:
            return _render(400, problems=exc.problems, source=source)
        report = store.write(dataset, kind=source, synthetic=synthetic)
    return _render(report=report.as_dict(), warnings=warnings, source=source)
