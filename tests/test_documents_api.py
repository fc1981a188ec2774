"""Documents and knowledge bases as resources, under the caller's access: list, inspect,
delete, re-index, through the API and the CLI, over the real store and embedder."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from secured import HR_SECRET, Keys, bearer

from app import cli
from app.api import create_app
from app.services import Services
from app.settings import get_settings as app_settings
from ingest.settings import get_settings as ingest_settings
from retrieval.settings import get_settings as retrieval_settings

DOC_FIELDS = {
    "id",
    "knowledge_base",
    "file_name",
    "file_type",
    "chunks",
    "pages",
    "groups",
    "status",
    "last_indexed",
    "modified_at",
    "source_uri",
    "uploaded",
}


def _documents(api: TestClient, key: str, **params: str) -> list[dict[str, Any]]:
    response = api.get("/v1/documents", params=params, headers=bearer(key))
    assert response.status_code == 200, response.text
    return list(response.json()["documents"])


def test_knowledge_bases_count_only_what_the_caller_reads(api: TestClient, keys: Keys) -> None:
    def listed(key: str) -> dict[str, tuple[int, int]]:
        body = api.get("/v1/knowledge-bases", headers=bearer(key)).json()
        return {kb["name"]: (kb["documents"], kb["chunks"]) for kb in body["knowledge_bases"]}

    hr, sales = listed(keys.hr), listed(keys.sales)
    assert set(hr) == {"leak", "hr-only"} and hr["leak"][0] == 2, hr
    assert set(sales) == {"leak", "leak-edit"} and sales["leak-edit"][0] == 1, sales
    assert listed(keys.admin)["leak"][0] == 3


def test_documents_list_and_detail(api: TestClient, keys: Keys) -> None:
    listed = _documents(api, keys.hr, knowledge_base="leak")
    assert {d["file_name"] for d in listed} == {"인사 기밀.md", "사내 공지.md"}
    for doc in listed:
        assert set(doc) == DOC_FIELDS and doc["status"] == "indexed" and doc["chunks"] >= 1
        assert doc["pages"] is None and doc["uploaded"] is False and doc["last_indexed"]
    secret = next(d for d in listed if d["file_name"] == "인사 기밀.md")
    assert secret["groups"] == ["hr"]
    detail = api.get(f"/v1/documents/{secret['id']}", headers=bearer(keys.hr)).json()
    assert {k: v for k, v in detail.items() if k != "chunk_list"} == secret
    assert [c["index"] for c in detail["chunk_list"]] == list(range(secret["chunks"]))
    assert any(HR_SECRET in c["text"] for c in detail["chunk_list"])
    uploaded = _documents(api, keys.sales, knowledge_base="leak-edit")
    assert [d["uploaded"] for d in uploaded] == [True]


def test_another_groups_document_is_unknown_never_forbidden(api: TestClient, keys: Keys) -> None:
    sales_doc = next(
        d for d in _documents(api, keys.sales, knowledge_base="leak") if d["groups"] == ["sales"]
    )
    for method in ("GET", "DELETE"):
        response = api.request(method, f"/v1/documents/{sales_doc['id']}", headers=bearer(keys.hr))
        expected = 403 if method == "DELETE" else 404  # a reader may not delete anything
        assert response.status_code == expected, response.text
    hidden = api.get(f"/v1/documents/{sales_doc['id']}", headers=bearer(keys.hr)).json()
    assert hidden["error"]["code"] == "unknown_document"
    # The editor holds hr only: the sales upload in its own knowledge base is unknown to it.
    (edit_doc,) = _documents(api, keys.sales, knowledge_base="leak-edit")
    for route in (f"/v1/documents/{edit_doc['id']}", f"/v1/documents/{edit_doc['id']}/reindex"):
        method = "DELETE" if route.endswith(edit_doc["id"]) else "POST"
        response = api.request(method, route, headers=bearer(keys.editor))
        assert response.status_code == 404, response.text
    assert api.get("/v1/documents/not-a-uuid", headers=bearer(keys.hr)).status_code == 404
    missing = api.get(
        "/v1/documents", params={"knowledge_base": "leak-edit"}, headers=bearer(keys.hr)
    )
    assert missing.json()["error"]["code"] == "unknown_knowledge_base"
    assert _documents(api, keys.sales, knowledge_base="leak-edit") == [edit_doc], "nothing changed"


@pytest.fixture
def writer(scratch_services: Services) -> TestClient:
    return TestClient(create_app(scratch_services))


def _upload(client: TestClient, name: str, text: str) -> None:
    response = client.post(
        "/v1/documents",
        files={"file": (name, io.BytesIO(text.encode()))},
        data={"knowledge_base": "docs-test"},
    )
    assert response.status_code == 200, response.text


def test_reindex_and_delete_an_uploaded_document(
    writer: TestClient, scratch_services: Services
) -> None:
    _upload(writer, "복지 안내.md", "# 복지 안내\n\n## 제1조\n\n동아리 활동비는 월 3만 원이다.\n")
    (doc,) = writer.get("/v1/documents").json()["documents"]
    assert doc["uploaded"] and doc["knowledge_base"] == "docs-test" and doc["groups"] == ["*"]
    file = Path(doc["source_uri"])
    assert file.is_file() and file.is_relative_to(scratch_services.uploads_dir.resolve())
    reindexed = writer.post(f"/v1/documents/{doc['id']}/reindex").json()
    assert reindexed == {
        "id": doc["id"],
        "file": "복지 안내.md",
        "status": "updated",
        "chunks": doc["chunks"],
    }
    after = writer.get(f"/v1/documents/{doc['id']}").json()
    assert after["last_indexed"] >= doc["last_indexed"] and after["chunks"] == doc["chunks"]
    deleted = writer.delete(f"/v1/documents/{doc['id']}").json()
    assert deleted == {"id": doc["id"], "file": "복지 안내.md", "status": "deleted"}
    assert not file.exists() and scratch_services.store.count() == 0
    assert writer.get(f"/v1/documents/{doc['id']}").status_code == 404
    assert writer.get("/v1/knowledge-bases").json() == {"knowledge_bases": []}


def test_a_synced_documents_file_is_reread_and_kept_on_delete(
    writer: TestClient, scratch_services: Services, tmp_path: Path
) -> None:
    source = tmp_path / "규정.md"
    source.write_text("# 규정\n\n## 제1조\n\n출장비는 일 5만 원이다.\n", encoding="utf-8")
    scratch_services.indexer.ingest(source, "rules", ["*"])
    (doc,) = writer.get("/v1/documents", params={"knowledge_base": "rules"}).json()["documents"]
    assert doc["uploaded"] is False
    source.write_text("# 규정\n\n## 제1조\n\n출장비는 일 7만 원이다.\n", encoding="utf-8")
    assert writer.post(f"/v1/documents/{doc['id']}/reindex").json()["status"] == "updated"
    text = "".join(c["text"] for c in writer.get(f"/v1/documents/{doc['id']}").json()["chunk_list"])
    assert "7만 원" in text and "5만 원" not in text
    assert writer.delete(f"/v1/documents/{doc['id']}").status_code == 200
    assert source.exists(), "a source folder's file is not ours to delete"
    scratch_services.indexer.ingest(source, "rules", ["*"])
    (again,) = writer.get("/v1/documents").json()["documents"]
    source.unlink()
    gone = writer.post(f"/v1/documents/{again['id']}/reindex")
    assert gone.status_code == 409 and gone.json()["error"]["code"] == "source_missing"
    assert writer.get(f"/v1/documents/{again['id']}").status_code == 200, "kept as indexed"


def test_old_delete_route_still_works(writer: TestClient) -> None:
    _upload(writer, "공지.md", "# 공지\n\n## 제1조\n\n체육대회는 10월에 연다.\n")
    response = writer.delete("/v1/documents/docs-test/공지.md")
    assert response.json() == {"file": "공지.md", "status": "deleted"}
    assert writer.get("/v1/documents").json() == {"documents": []}


@pytest.fixture
def cli_data(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The CLI builds its own Services from the environment: a fresh data directory, with the
    cached settings objects cleared before and after so no other test sees it."""
    monkeypatch.setenv("KDOCQA_DATA_DIR", str(data_dir))
    getters = [app_settings, retrieval_settings, ingest_settings]
    for getter in getters:
        getter.cache_clear()
    yield data_dir
    monkeypatch.undo()
    for getter in getters:
        getter.cache_clear()


def test_cli_lists_shows_and_deletes(cli_data: Path, tmp_path: Path, capsys: Any) -> None:
    source = tmp_path / "안내.md"
    source.write_text("# 안내\n\n## 제1조\n\n복지 포인트는 연 100만 원이다.\n", encoding="utf-8")
    assert cli.main(["ingest", str(source), "--kb", "cli-kb", "--groups", "hr"]) == 0
    capsys.readouterr()
    assert cli.main(["knowledge-bases", "--json"]) == 0
    (kb,) = json.loads(capsys.readouterr().out)["knowledge_bases"]
    assert kb["name"] == "cli-kb" and kb["documents"] == 1
    assert cli.main(["documents", "list", "--json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)["documents"]
    assert doc["groups"] == ["hr"] and doc["uploaded"] is False
    assert cli.main(["documents", "reindex", doc["id"]]) == 0
    assert capsys.readouterr().out.startswith("updated")
    assert cli.main(["documents", "show", doc["id"]]) == 0
    assert "100만 원" in capsys.readouterr().out
    assert cli.main(["documents", "delete", doc["id"]]) == 0
    capsys.readouterr()
    assert cli.main(["documents", "show", doc["id"]]) == 2
    assert source.exists()
