"""The data page: provenance for readers, upload with a validation report for admins."""

from __future__ import annotations

import io

import pytest
from helpers import zip_folder

from loaders.demo import write_demo_bundle


@pytest.fixture
def app(store, neo4j_settings, tmp_path):
    from service import create_app

    config = {k: neo4j_settings[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}
    config.update(SYNERGRAPH_HOME=str(tmp_path / "home"), TESTING=True)
    app = create_app(config)
    yield app
    app.extensions["synergraph"].store.close()


def test_admin_uploads_a_bundle_and_sees_the_report(app, store, sign_in, tmp_path):
    write_demo_bundle(tmp_path / "demo")
    client = sign_in(app, app.test_client(), "admin")
    response = client.post("/data/upload", data={
        "source": "bundle", "files": (zip_folder(tmp_path / "demo", "demo"), "demo.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="report-table"' in html
    actors = (tmp_path / "demo" / "actors.csv").read_text().count("\n") - 1
    assert store.counts()["nodes"]["Actor"] == actors
    assert f'<th scope="row">Actor</th><td class="num">{actors}</td>' in html
    page = client.get("/data").get_data(as_text=True)
    assert "demo-morocco-2011" in page and "synthetic" in page


def test_a_bad_upload_shows_every_problem_and_writes_nothing(app, store, sign_in, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "actors.csv").write_text("id,name,kind\na1,Alpha,sme\na2,Beta,spaceship\n")
    (folder / "memberships.csv").write_text("actor_id,cluster_id\na1,nowhere\n")
    before = store.counts()
    client = sign_in(app, app.test_client(), "admin")
    files = [(open(folder / name, "rb"), name) for name in ("actors.csv", "memberships.csv")]
    response = client.post("/data/upload", data={"source": "bundle", "files": files},
                           content_type="multipart/form-data")
    for handle, _ in files:
        handle.close()
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "2 problems: nothing was written" in html
    assert "spaceship" in html and "nowhere" in html
    assert store.counts() == before


def test_wrong_files_are_refused(app, sign_in):
    client = sign_in(app, app.test_client(), "admin")
    response = client.post("/data/upload", data={
        "source": "cordis", "files": (io.BytesIO(b"x"), "passwords.txt")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "passwords.txt" in response.get_data(as_text=True)


def test_only_admins_upload(app, sign_in):
    client = sign_in(app, app.test_client(), "evaluator")
    assert client.get("/data").status_code == 200
    assert "upload-form" not in client.get("/data").get_data(as_text=True)
    response = client.post("/data/upload", data={"source": "bundle"},
                           content_type="multipart/form-data")
    assert response.status_code == 403


def test_a_zip_that_unpacks_too_large_is_refused(app, sign_in, monkeypatch, tmp_path):
    import web.data_views

    monkeypatch.setattr(web.data_views, "MAX_UNPACKED_BYTES", 1000)
    write_demo_bundle(tmp_path / "demo")
    client = sign_in(app, app.test_client(), "admin")
    response = client.post("/data/upload", data={
        "source": "bundle", "files": (zip_folder(tmp_path / "demo", "demo"), "demo.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 400
    assert "more than 1,000 allowed" in response.get_data(as_text=True)
