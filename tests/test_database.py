"""The service's own database on both engines it supports: SQLite (the embedded default) and a
real PostgreSQL cluster (tests/pg_cluster.py). Same migrations, same behaviour."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text, update

from app.audit import AuditLog
from app.conversation import Conversations, Turn
from app.db.database import Database, default_url
from app.db.models import AuditEvent, Base, ChatSession, Feedback
from app.identity import Caller
from app.keys import KeyRequestError, KeyStore, hash_token


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    if request.param == "sqlite":
        url = default_url(tmp_path)
    else:
        url = request.getfixturevalue("postgres_url")
    db = Database(url)
    with db.engine.begin() as connection:  # each test starts from an empty schema
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.migrate()
    yield db
    db.close()


def test_migrations_create_exactly_the_models_schema(database: Database) -> None:
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        tables = set(inspect(connection).get_table_names())
    assert diff == [], diff
    assert {"api_keys", "sessions", "turns", "feedback", "audit_events"} <= tables
    database.migrate()  # again: a no-op at head


def test_keys_are_stored_as_hashes_and_revoked_keys_stop_working(database: Database) -> None:
    keys = KeyStore(database)
    assert not keys.any_ever()
    token = keys.create("hr-reader", "reader", ["hr"], ["인사"])
    assert token.startswith("kdq_") and len(token) > 40
    with database.engine.connect() as connection:
        stored = connection.execute(text("SELECT key_hash FROM api_keys")).scalar_one()
        everything = " ".join(
            str(v) for v in connection.execute(text("SELECT * FROM api_keys")).one()
        )
    assert stored == hash_token(token) and token not in everything
    caller = keys.authenticate(token)
    assert caller is not None and (caller.name, caller.role, caller.groups) == (
        "hr-reader",
        "reader",
        ("hr",),
    )
    assert caller.knowledge_bases == ("인사",) and caller.subject.startswith("key:")
    assert keys.authenticate(token + "x") is None
    with pytest.raises(KeyRequestError):
        keys.create("hr-reader", "admin")
    with pytest.raises(KeyRequestError):
        keys.create("bad name!", "reader")
    with pytest.raises(KeyRequestError):
        keys.create("x", "superuser")  # type: ignore[arg-type]
    keys.revoke("hr-reader")
    assert keys.authenticate(token) is None
    assert KeyStore(database).any_ever(), "a revoked key still means keys are in use"
    (listed,) = keys.list()
    assert listed.name == "hr-reader" and listed.revoked_at is not None


def test_a_reader_key_without_groups_reads_only_public_documents(database: Database) -> None:
    keys = KeyStore(database)
    reader = keys.authenticate(keys.create("plain", "reader"))
    admin = keys.authenticate(keys.create("boss", "admin"))
    assert reader is not None and reader.groups == ()
    assert admin is not None and admin.groups is None


def test_sessions_persist_across_connections_and_belong_to_their_owner(database: Database) -> None:
    session = Conversations(database).start("key:7")
    Conversations(database).add(session, Turn("연차는?", "15일입니다 [1].", {"answer": "15일"}))
    again = Conversations(Database(database.url))
    assert [t.record for t in again.listed(session, "key:7") or []] == [{"answer": "15일"}]
    assert again.listed(session, "key:8") is None


def test_feedback_rows_reference_sessions(database: Database) -> None:
    session = Conversations(database).start("key:1")
    with database.session() as s:
        s.add(Feedback(owner="key:1", session_id=session, rating=1, comment="좋아요"))
    with database.session() as s:
        (row,) = s.scalars(select(Feedback)).all()
        assert row.session_id == session and s.get(ChatSession, session) is not None


def test_audit_events_since_and_retention(database: Database) -> None:
    log = AuditLog(database, retention_days=30)
    caller = Caller("hr-reader", "reader", ("hr",), subject="key:1")
    log.record(caller, "ask", question="연차는?", cited=["doc-1"])
    log.record(caller, "search", question="휴가", retrieved=["doc-2"])
    with database.session() as s:  # the first event is 40 days old
        first = s.scalars(select(AuditEvent).order_by(AuditEvent.id)).first()
        assert first is not None
        old = datetime.now(UTC) - timedelta(days=40)
        s.execute(update(AuditEvent).where(AuditEvent.id == first.id).values(at=old))
    events = log.events()
    assert [e["action"] for e in events] == ["ask", "search"]
    assert events[0]["cited"] == ["doc-1"] and events[0]["actor"] == "key:1"
    recent = log.events(since=datetime.now(UTC) - timedelta(days=1))
    assert [e["action"] for e in recent] == ["search"]
    assert log.prune() == 1 and [e["action"] for e in log.events()] == ["search"]
