"""Backup and restore round trip on a real installation (embedded Qdrant Edge, SQLite, real
documents and the real embedder): ingest → backup → wipe the data directory (models aside) →
restore → the same search results, sessions and keys; the same backup restored into
PostgreSQL; a corrupt, mismatched or misplaced restore refused before anything is written;
the CLI commands. The installation is indexed and backed up once for the module."""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.backup import DATABASE_FILE, MANIFEST, STORE_FILE, BackupError, backup, restore
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
TURN = Turn("연차는?", "15일입니다 [1].", {"refused": False})


def _services(data_dir: Path, services: Services, database_url: str | None = None) -> Services:
    """An installation in `data_dir` with the session's embedder (loaded once)."""
    return _with_embedder(
        Services(
            retrieval=RetrievalSettings(data_dir=data_dir),
            app=AppSettings(database_url=database_url),
            ingest=IngestSettings(),
        ),
        services,
    )


def _with_embedder(installation: Services, services: Services) -> Services:
    installation.__dict__["embedder"] = services.embedder
    return installation


def _empty_dir(factory: pytest.TempPathFactory, services: Services) -> Path:
    data = factory.mktemp("installation")
    (data / "models").symlink_to(services.retrieval.models_dir.resolve())
    return data


def _snapshot(installation: Services) -> dict[str, object]:
    return {
        query: [(h.id, round(h.score, 6)) for h in installation.searcher.search(query).hits]
        for query in QUERIES
    }


@dataclass(frozen=True)
class BackedUp:
    data_dir: Path
    backup: Path
    token: str
    session: str
    chunks: int
    search: dict[str, object]


@pytest.fixture(scope="module")
def backed_up(services: Services, tmp_path_factory: pytest.TempPathFactory) -> BackedUp:
    docs = tmp_path_factory.mktemp("docs")
    for name in DOCS:
        shutil.copy(SAMPLES / name, docs / name)
    data = _empty_dir(tmp_path_factory, services)
    live = _services(data, services)
    try:
        assert live.indexer.ingest(docs, "인사").counts()["failed"] == 0
        (data / "uploads" / "인사").mkdir(parents=True)
        (data / "uploads" / "인사" / "메모.txt").write_text("업로드된 메모", "utf-8")
        (data / "reports").mkdir()
        (data / "reports" / "sync-1.json").write_text('{"counts": {}}', "utf-8")
        token = live.keys.create("kim", "reader", ["hr"], ["인사"])
        session = live.conversations.start("kim")
        live.conversations.add(session, TURN)
        target = tmp_path_factory.mktemp("backups") / "backup"  # outside the data directory
        summary = backup(live, target)
        snapshot, chunks = _snapshot(live), live.store.count()
    finally:
        live.close()
    assert summary.points == chunks > 0 and summary.rows >= 3
    return BackedUp(data, target, token, session, chunks, snapshot)


def _assert_restored(restored: Services, saved: BackedUp) -> None:
    assert restored.store.count() == saved.chunks
    assert _snapshot(restored) == saved.search
    caller = restored.keys.authenticate(saved.token)
    assert caller is not None and caller.groups == ("hr",) and caller.knowledge_bases == ("인사",)
    assert restored.conversations.listed(saved.session, "kim") == [TURN]
    # New rows get new ids after the restored ones (no clash, PostgreSQL's sequences moved on).
    restored.conversations.add(saved.session, Turn("그럼 계약직은?", "같습니다.", {}))
    assert len(restored.conversations.listed(saved.session, "kim") or []) == 2
    restored.keys.create("park", "reader", None, None)


def test_round_trip_restores_search_sessions_and_keys(
    backed_up: BackedUp, services: Services
) -> None:
    manifest = json.loads((backed_up.backup / MANIFEST).read_text("utf-8"))
    assert manifest["recipe"]["embedding_model"] == services.embedder.name
    assert "files/uploads/인사/메모.txt" in manifest["files"]
    data = backed_up.data_dir
    for entry in data.iterdir():  # wipe everything but the models
        if entry.name != "models":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    restored = _services(data, services)
    try:
        assert restored.store.count() == 0 and restored.keys.authenticate(backed_up.token) is None
        restore(restored, backed_up.backup)
        _assert_restored(restored, backed_up)
        assert (data / "uploads" / "인사" / "메모.txt").read_text("utf-8") == "업로드된 메모"
        assert (data / "reports" / "sync-1.json").exists()
        # A second restore would overwrite: refused, nothing changed.
        with pytest.raises(BackupError, match="비어 있지 않아"):
            restore(restored, backed_up.backup)
        assert restored.store.count() == backed_up.chunks
    finally:
        restored.close()


def test_a_sqlite_backup_restores_into_postgresql(
    backed_up: BackedUp,
    services: Services,
    postgres_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The compose deployments keep their database in PostgreSQL: the same dump restores there."""
    admin = create_engine(
        postgres_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS kdocqa_restore"))
        connection.execute(text("CREATE DATABASE kdocqa_restore"))
    admin.dispose()
    url = postgres_url.rsplit("/", 1)[0] + "/kdocqa_restore"
    restored = _services(_empty_dir(tmp_path_factory, services), services, url)
    try:
        restore(restored, backed_up.backup)
        _assert_restored(restored, backed_up)
    finally:
        restored.close()


def test_corrupt_or_mismatched_backups_are_refused(
    backed_up: BackedUp,
    services: Services,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    empty = _services(_empty_dir(tmp_path_factory, services), services)
    try:
        corrupt = tmp_path / "corrupt"
        shutil.copytree(backed_up.backup, corrupt)
        with gzip.open(corrupt / STORE_FILE, "ab") as f:  # still a valid gzip: only the sum knows
            f.write(b'{"id": "injected"}\n')
        with pytest.raises(BackupError, match="손상"):
            restore(empty, corrupt)

        other_model = tmp_path / "other-model"
        shutil.copytree(backed_up.backup, other_model)
        manifest = json.loads((other_model / MANIFEST).read_text("utf-8"))
        manifest["recipe"]["embedding_model"] = "nlpai-lab/KURE-v1"
        (other_model / MANIFEST).write_text(json.dumps(manifest), "utf-8")
        with pytest.raises(BackupError, match="embedding_model"):
            restore(empty, other_model)

        with pytest.raises(BackupError, match="manifest"):
            restore(empty, tmp_path)
        assert empty.store.count() == 0  # nothing was written by any refusal
        assert empty.keys.authenticate(backed_up.token) is None
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


def test_cli_restores_backs_up_and_refuses_a_corrupt_backup(
    backed_up: BackedUp,
    services: Services,
    tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fresh_settings: None,
) -> None:
    monkeypatch.setenv("KDOCQA_DATA_DIR", str(_empty_dir(tmp_path_factory, services)))
    assert main(["restore", str(backed_up.backup)]) == 0
    assert f"청크 {backed_up.chunks}개" in capsys.readouterr().out
    assert main(["backup", str(tmp_path / "b")]) == 0
    assert "백업했습니다" in capsys.readouterr().out
    assert main(["backup", str(tmp_path / "b")]) == 2  # not empty
    (tmp_path / "b" / DATABASE_FILE).write_bytes(b"broken")
    fresh_settings_dir = _empty_dir(tmp_path_factory, services)
    monkeypatch.setenv("KDOCQA_DATA_DIR", str(fresh_settings_dir))
    for cached in (app_settings, retrieval_settings, ingest_settings):
        cached.cache_clear()
    assert main(["restore", str(tmp_path / "b")]) == 2
    assert "손상" in capsys.readouterr().err
