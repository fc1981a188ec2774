"""API keys: created with a role, groups and knowledge bases; stored only as sha256 hashes.

A token is 32 random bytes (urlsafe base64, prefixed "kdq_" so it is recognisable in a leak
scan) and is shown once, at creation. Once any key has been created, even one revoked since,
every /v1 route needs a key: revoking every key never reopens the API.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from app.db.database import Database
from app.db.models import ApiKey
from app.identity import ROLES, Caller, Role, valid_group, valid_knowledge_base

TOKEN_PREFIX = "kdq_"


class KeyRequestError(ValueError):
    """A key cannot be created or revoked as asked (the message says why, in Korean)."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class KeyInfo:
    name: str
    role: Role
    groups: list[str] | None
    knowledge_bases: list[str] | None
    created_at: datetime
    revoked_at: datetime | None


def _caller(key: ApiKey) -> Caller:
    role: Role = key.role  # type: ignore[assignment]  # checked on creation
    groups = tuple(key.groups) if key.groups is not None else None
    if groups is None and role != "admin":
        groups = ()  # only an admin key may be unrestricted
    bases = tuple(key.knowledge_bases) if key.knowledge_bases is not None else None
    return Caller(key.name, role, groups, bases, subject=f"key:{key.id}")


class KeyStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._ever = False

    def any_ever(self) -> bool:
        """Whether a key was ever created (cached once true: keys are never deleted)."""
        if not self._ever:
            with self.database.session() as s:
                self._ever = bool(s.scalar(select(func.count()).select_from(ApiKey)))
        return self._ever

    def create(
        self,
        name: str,
        role: Role,
        groups: list[str] | None = None,
        knowledge_bases: list[str] | None = None,
    ) -> str:
        """A new key's token (shown once). Groups default to none (public documents only),
        except for an admin, which then reads everything."""
        if role not in ROLES:
            raise KeyRequestError(f"알 수 없는 역할입니다: {role} (reader, editor, admin)")
        if not valid_knowledge_base(name):
            raise KeyRequestError("키 이름은 영문·숫자·한글·'_'·'-' 1~64자로 지으세요.")
        for group in groups or []:
            if not valid_group(group):
                raise KeyRequestError(f"그룹 이름이 올바르지 않습니다: {group!r}")
        for kb in knowledge_bases or []:
            if not valid_knowledge_base(kb):
                raise KeyRequestError(f"지식베이스 이름이 올바르지 않습니다: {kb!r}")
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.database.session() as s:
            if s.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
                raise KeyRequestError(f"같은 이름의 키가 이미 있습니다: {name}")
            s.add(
                ApiKey(
                    name=name,
                    key_hash=hash_token(token),
                    role=role,
                    groups=groups,
                    knowledge_bases=knowledge_bases,
                )
            )
        self._ever = True
        return token

    def authenticate(self, token: str) -> Caller | None:
        """The caller a token identifies; None if unknown or revoked."""
        with self.database.session() as s:
            key = s.scalar(select(ApiKey).where(ApiKey.key_hash == hash_token(token)))
            if key is None or key.revoked_at is not None:
                return None
            return _caller(key)

    def revoke(self, name: str) -> None:
        with self.database.session() as s:
            key = s.scalar(select(ApiKey).where(ApiKey.name == name))
            if key is None:
                raise KeyRequestError(f"그런 이름의 키가 없습니다: {name}")
            if key.revoked_at is None:
                key.revoked_at = datetime.now(UTC)

    def list(self) -> list[KeyInfo]:
        with self.database.session() as s:
            keys = s.scalars(select(ApiKey).order_by(ApiKey.id)).all()
            return [
                KeyInfo(
                    k.name,
                    k.role,  # type: ignore[arg-type]
                    k.groups,
                    k.knowledge_bases,
                    k.created_at,
                    k.revoked_at,
                )
                for k in keys
            ]
