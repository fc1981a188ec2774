"""The audit log: who asked what and which documents were retrieved and cited, uploads and
deletes, sync runs and key changes. Kept for `audit_retention_days`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from app.db.database import Database
from app.db.models import AuditEvent
from app.identity import Caller
from app.observability import request_id


class AuditLog:
    def __init__(self, database: Database, retention_days: int) -> None:
        self.database = database
        self.retention_days = retention_days

    def record(self, caller: Caller, action: str, **detail: Any) -> None:
        with self.database.session() as s:
            s.add(
                AuditEvent(
                    actor=caller.subject or caller.name,
                    role=caller.role,
                    action=action,
                    detail={"name": caller.name, **_request(), **detail},
                )
            )

    def events(self, since: datetime | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Oldest first from `since` (naive times read as UTC)."""
        query = select(AuditEvent).order_by(AuditEvent.id)
        if since is not None:
            query = query.where(AuditEvent.at >= _aware(since))
        with self.database.session() as s:
            rows = s.scalars(query.limit(limit)).all()
            return [
                {
                    "at": _aware(e.at).isoformat(timespec="seconds"),
                    "actor": e.actor,
                    "role": e.role,
                    "action": e.action,
                    **e.detail,
                }
                for e in rows
            ]

    def prune(self) -> int:
        """Drop events older than the retention period; how many went."""
        cutoff = datetime.now(UTC) - timedelta(days=self.retention_days)
        with self.database.session() as s:
            result = s.execute(delete(AuditEvent).where(AuditEvent.at < cutoff))
            return int(getattr(result, "rowcount", 0) or 0)


def _request() -> dict[str, str]:
    """The id of the API request being served, so an event can be matched to its log lines."""
    rid = request_id.get()
    return {"request_id": rid} if rid else {}


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; they were stored as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
