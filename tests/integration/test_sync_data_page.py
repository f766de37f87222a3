"""Issue 11 item 1 on the data page: the load history with each load's diff, and the
admin's sync checkbox and preview (dry run) button on the upload form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import SMALL_BUNDLE, fingerprint, small_bundle, zip_folder
from support import cypher_rows

from loaders.demo import write_demo_bundle

pytestmark = [pytest.mark.neo4j]


@pytest.fixture
def admin(store, make_app, sign_in):
    app = make_app()
    return app, sign_in(app, app.test_client(), "admin")


def _upload(client, folder: Path, name: str, **form):
    return client.post("/data/upload", data={"source": "bundle",
                                             "files": (zip_folder(folder, "bundle"), name), **form},
                       content_type="multipart/form-data")


def _row(html: str, table_id: str, name: str) -> list[int]:
    """The numbers of row ``name`` of table ``table_id``."""
    table = html[html.index(f'id="{table_id}"'):]
    table = table[:table.index("</table>")]
    match = re.search(rf'<th scope="row">{name}</th>((?:<td class="num">\d+</td>)+)', table)
    assert match, (name, table)
    return [int(n) for n in re.findall(r"\d+", match.group(1))]


def test_preview_then_sync_from_the_data_page_and_the_history(admin, store, tmp_path):
    _app, client = admin
    demo = tmp_path / "demo"
    write_demo_bundle(demo, seed=2011)
    assert _upload(client, demo, "demo.zip").status_code == 200
    # the admin deletes one actor, with its memberships, participations and activities
    lines = (demo / "actors.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    gone = lines[1]
    actor = gone.split(",")[0]
    (demo / "actors.csv").write_text("".join(x for x in lines if x != gone), encoding="utf-8")
    # the rows that go: the actor, its location (actors.csv's region_id) and these rows
    deleted = 1 + (1 if gone.split(",")[4] else 0)
    for name in ("memberships.csv", "participations.csv", "activities.csv"):
        rows = (demo / name).read_text(encoding="utf-8").splitlines(keepends=True)
        kept = [x for x in rows if x.split(",")[0] != actor]
        deleted += len(rows) - len(kept)
        assert len(kept) < len(rows) or name == "activities.csv"
        (demo / name).write_text("".join(kept), encoding="utf-8")
    whole = fingerprint(store)

    preview = _upload(client, demo, "demo.zip", sync="1", preview="1")
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    assert "Preview (dry run, nothing written)" in html
    # created, updated, unchanged, deleted
    assert _row(html, "report-table", "Actor") == [0, 0, len(lines) - 2, 1]
    assert f"<code>{actor}</code>" in html
    assert 'name="sync" value="1" id="sync" checked' in html
    assert fingerprint(store) == whole

    synced = _upload(client, demo, "demo.zip", sync="1")
    html = synced.get_data(as_text=True)
    assert synced.status_code == 200 and "Synced:" in html
    assert _row(html, "report-table", "Actor") == [0, 0, len(lines) - 2, 1]
    assert cypher_rows(store, "MATCH (a:Actor {id: $id}) RETURN a", id=actor) == []

    page = client.get("/data").get_data(as_text=True)
    start = page.index('id="history-table"')
    rows = page[start:page.index("</section>", start)].split('<tr class="load-run">')[1:]
    assert len(rows) == 2  # the load and the sync; the preview is not a load
    newest, first = rows
    assert "test-admin (web)" in newest and "<td>sync</td>" in newest
    assert f"−{deleted} deleted" in newest and f"<code>{actor}</code>" in newest
    assert "<td>load</td>" in first and "−0 deleted" in first


def test_history_pages_and_a_bad_page_number(admin, store, tmp_path, monkeypatch):
    import web.data_views

    _app, client = admin
    folder = small_bundle(tmp_path / "small")
    for _ in range(3):
        assert _upload(client, folder, "small.zip").status_code == 200
    monkeypatch.setattr(web.data_views, "HISTORY_PER_PAGE", 2)
    first = client.get("/data").get_data(as_text=True)
    assert "Page 1 of 2" in first and "history_page=2" in first
    second = client.get("/data?history_page=2").get_data(as_text=True)
    history = second[second.index('id="history-table"'):second.index("Page 2 of 2")]
    assert history.count('<tr class="load-run">') == 1
    assert history.count("<td>load</td>") == 1
    assert "+" in history and "created" in history
    assert client.get("/data?history_page=abc").status_code == 400
    assert client.get("/data?history_page=0").status_code == 400


def test_an_upload_without_bundle_json_is_synced_under_its_zip_name(admin, store, tmp_path):
    _app, client = admin
    mine = small_bundle(tmp_path / "mine")
    other = small_bundle(tmp_path / "other", actors_csv="id,name,kind\nb1,Other,sme\n",
                         memberships_csv=None, participations_csv=None, projects_csv=None,
                         clusters_csv=None, regions_csv=None)
    assert _upload(client, mine, "mine.zip").status_code == 200
    assert _upload(client, other, "other.zip").status_code == 200
    assert cypher_rows(store, "MATCH (a:Actor {id: 'b1'}) RETURN a.source AS s") == [
        {"s": "bundle:other"}]
    without_a3 = small_bundle(
        tmp_path / "mine2",
        actors_csv=SMALL_BUNDLE["actors.csv"].replace("a3,Lab Numerique,research_lab,MA,"
                                                      "ma-casa,Rabat,,\n", ""),
        participations_csv=SMALL_BUNDLE["participations.csv"].replace("a3,p2,coordinator,,\n",
                                                                      ""))
    response = _upload(client, without_a3, "mine.zip", sync="1")
    assert response.status_code == 200
    assert cypher_rows(store, "MATCH (a:Actor) RETURN a.id AS id ORDER BY id") == [
        {"id": "a1"}, {"id": "a2"}, {"id": "b1"}]


def test_only_admins_see_the_sync_form_but_everyone_sees_the_history(make_app, sign_in, store,
                                                                    tmp_path):
    from loaders.bundle import read_bundle

    store.write(read_bundle(small_bundle(tmp_path / "b")), kind="bundle", by="ops", via="cli")
    app = make_app()
    page = sign_in(app, app.test_client(), "evaluator").get("/data").get_data(as_text=True)
    assert 'id="history-table"' in page and "ops (cli)" in page
    assert 'name="sync"' not in page and 'id="preview"' not in page
