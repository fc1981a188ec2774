"""Backup and restore round trip on a real installation (embedded Qdrant Edge, SQLite, real
documents and the real embedder): ingest → backup → wipe the data directory (models aside) →
restore → the same search results, sessions and keys; a corrupt, mismatched or misplaced
restore is refused before anything is written. The CLI is exercised for the same commands."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.backup import MANIFEST, STORE_FILE, BackupError, backup, restore
from app.cli import main
from app.conversation import Turn
from app.services import Services
from app.settings import AppSettings
from app.settings import get_settings as app_settings
from ingest.settings import IngestSettings
from ingest.settings import get_settings as ingest_settings
from retrieval.settings import RetrievalSettings
from retrieval.settings import get_settings as retrieval_settings

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "docs"
DOCS = ("인사_휴가규정.pdf", "사내식당_운영안내.txt", "복리후생_지원기준표.xlsx")
QUERIES = ("신입사원 연차는 며칠인가요?", "점심 식사 시간", "경조사 지원금")


def _services(data_dir: Path, services: Services, **retrieval: object) -> Services:
    """An installation in `data_dir` with the session's embedder (loaded once)."""
    settings = RetrievalSettings(data_dir=data_dir, **retrieval)  # type: ignore[arg-type]
    fresh = Services(retrieval=settings, app=AppSettings(), ingest=IngestSettings())
    fresh.__dict__["embedder"] = services.embedder
    return fresh


def _snapshot(installation: Services) -> dict[str, object]:
    return {
        query: [(h.id, round(h.score, 6)) for h in installation.searcher.search(query).hits]
        for query in QUERIES
    }


@pytest.fixture
def installation(data_dir: Path, services: Services, tmp_path: Path) -> Services:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in DOCS:
        shutil.copy(SAMPLES / name, docs / name)
    live = _services(data_dir, services)
    assert live.indexer.ingest(docs, "인사").counts()["failed"] == 0
    (data_dir / "uploads" / "인사").mkdir(parents=True)
    (data_dir / "uploads" / "인사" / "메모.txt").write_text("업로드된 메모", "utf-8")
    (data_dir / "reports").mkdir()
    (data_dir / "reports" / "sync-1.json").write_text('{"counts": {}}', "utf-8")
    return live


def test_round_trip_restores_search_sessions_and_keys(
    installation: Services,
    data_dir: Path,
    services: Services,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    token = installation.keys.create("kim", "reader", ["hr"], None)
    session = installation.conversations.start("kim")
    installation.conversations.add(session, Turn("연차는?", "15일입니다 [1].", {"refused": False}))
    before = _snapshot(installation)
    chunks = installation.store.count()
    target = tmp_path_factory.mktemp("backups") / "backup"  # outside the data directory
    summary = backup(installation, target)
    installation.close()
    assert summary.points == chunks > 0 and summary.rows >= 3
    manifest = json.loads((target / MANIFEST).read_text("utf-8"))
    assert manifest["recipe"]["embedding_model"] == services.embedder.name
    assert "files/uploads/인사/메모.txt" in manifest["files"]

    for entry in data_dir.iterdir():  # wipe everything but the models
        if entry.name != "models":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    restored = _services(data_dir, services)
    try:
        assert restored.store.count() == 0 and restored.keys.authenticate(token) is None
        restore(restored, target)
        assert restored.store.count() == chunks
        assert _snapshot(restored) == before
        caller = restored.keys.authenticate(token)
        assert caller is not None and caller.groups == ("hr",)
        turns = restored.conversations.listed(session, "kim")
        assert turns == [Turn("연차는?", "15일입니다 [1].", {"refused": False})]
        assert (data_dir / "uploads" / "인사" / "메모.txt").read_text("utf-8") == "업로드된 메모"
        assert (data_dir / "reports" / "sync-1.json").exists()
        # A second restore would overwrite: refused, nothing changed.
        with pytest.raises(BackupError, match="비어 있지 않아"):
            restore(restored, target)
        assert restored.store.count() == chunks
        # New rows after a restore get new ids (no clash with the restored ones).
        restored.conversations.add(session, Turn("그럼 계약직은?", "같습니다.", {}))
        assert len(restored.conversations.listed(session, "kim") or []) == 2
    finally:
        restored.close()


def test_corrupt_or_mismatched_backups_are_refused(
    installation: Services, data_dir: Path, services: Services, tmp_path: Path
) -> None:
    target = tmp_path / "backup"
    backup(installation, target)
    installation.close()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "models").symlink_to(services.retrieval.models_dir.resolve())
    empty = _services(tmp_path / "elsewhere", services)
    try:
        corrupt = tmp_path / "corrupt"
        shutil.copytree(target, corrupt)
        with gzip.open(corrupt / STORE_FILE, "ab") as f:  # still a valid gzip: only the sum knows
            f.write(b'{"id": "injected"}\n')
        with pytest.raises(BackupError, match="손상"):
            restore(empty, corrupt)

        other_model = tmp_path / "other-model"
        shutil.copytree(target, other_model)
        manifest = json.loads((other_model / MANIFEST).read_text("utf-8"))
        manifest["recipe"]["embedding_model"] = "nlpai-lab/KURE-v1"
        (other_model / MANIFEST).write_text(json.dumps(manifest), "utf-8")
        with pytest.raises(BackupError, match="embedding_model"):
            restore(empty, other_model)

        with pytest.raises(BackupError, match="manifest"):
            restore(empty, tmp_path / "docs")
        assert empty.store.count() == 0  # nothing was written by any refusal
    finally:
        empty.close()


@pytest.fixture
def fresh_settings() -> Iterator[None]:
    """The CLI reads settings from the environment once per process: clear them around."""
    caches = [app_settings, retrieval_settings, ingest_settings]
    for cached in caches:
        cached.cache_clear()
    yield
    for cached in caches:
        cached.cache_clear()


def test_cli_backs_up_and_refuses_a_corrupt_restore(
    installation: Services,
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_settings: None,
) -> None:
    installation.close()
    monkeypatch.setenv("KDOCQA_DATA_DIR", str(data_dir))
    assert main(["backup", str(tmp_path / "b")]) == 0
    assert "백업했습니다" in capsys.readouterr().out
    assert main(["backup", str(tmp_path / "b")]) == 2  # not empty
    (tmp_path / "b" / "database.jsonl.gz").write_bytes(b"broken")
    assert main(["restore", str(tmp_path / "b")]) == 2
    assert "손상" in capsys.readouterr().err


def test_a_sqlite_backup_restores_into_postgresql(
    installation: Services,
    services: Services,
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The compose deployments keep their database in PostgreSQL: the same dump restores there,
    and the id sequences move past the restored rows (a new turn does not collide)."""
    from sqlalchemy import create_engine, text

    token = installation.keys.create("lee", "editor", ["hr"], ["인사"])
    session = installation.conversations.start("lee")
    installation.conversations.add(session, Turn("식당은 몇 시에 여나요?", "11시 30분 [1].", {}))
    target = tmp_path_factory.mktemp("pg-backup") / "b"
    backup(installation, target)
    installation.close()

    admin = create_engine(
        postgres_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS kdocqa_restore"))
        connection.execute(text("CREATE DATABASE kdocqa_restore"))
    admin.dispose()
    data = tmp_path_factory.mktemp("pg-restore")
    (data / "models").symlink_to(services.retrieval.models_dir.resolve())
    restored = _services(data, services)
    restored.app = AppSettings(database_url=postgres_url.rsplit("/", 1)[0] + "/kdocqa_restore")
    try:
        restore(restored, target)
        caller = restored.keys.authenticate(token)
        assert caller is not None and caller.knowledge_bases == ("인사",)
        restored.conversations.add(session, Turn("주말에도 여나요?", "아닙니다.", {}))
        turns = restored.conversations.listed(session, "lee") or []
        assert [t.question for t in turns] == ["식당은 몇 시에 여나요?", "주말에도 여나요?"]
        restored.keys.create("park", "reader", None, None)  # a new key id after the restored one
    finally:
        restored.close()
