"""Who is asking: the caller an API key (or the trusted gateway) identifies, and what it may read.

The caller, not a body field, decides the access groups and knowledge bases a search runs
under: a `groups` field in a request may narrow the caller's groups, never widen them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from retrieval.store.base import PUBLIC_GROUP, SearchFilter

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = ("reader", "editor", "admin")
KNOWLEDGE_BASE_PATTERN = r"^[0-9A-Za-z가-힣_-]{1,64}$"
"""Knowledge-base names: letters, digits, Hangul syllables, '_' and '-' (they name folders)."""
GROUP_PATTERN = r"^(\*|[0-9A-Za-z가-힣_.@-]{1,64})$"


def valid_knowledge_base(name: str) -> bool:
    return re.fullmatch(KNOWLEDGE_BASE_PATTERN, name) is not None


def valid_group(name: str) -> bool:
    return re.fullmatch(GROUP_PATTERN, name) is not None


@dataclass(frozen=True)
class Caller:
    """An identified caller. `groups=None` means unrestricted (the local single-user admin, or
    an admin key created without groups); `knowledge_bases=None` means every knowledge base."""

    name: str
    role: Role
    groups: tuple[str, ...] | None
    knowledge_bases: tuple[str, ...] | None = None
    subject: str = ""
    """Stable owner id of sessions and audit events: "key:<id>", "gateway:<user>" or "local"."""
    rate_limited: bool = True

    def has_role(self, role: Role) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)

    def may_read_knowledge_base(self, knowledge_base: str) -> bool:
        return self.knowledge_bases is None or knowledge_base in self.knowledge_bases

    def may_edit_knowledge_base(self, knowledge_base: str) -> bool:
        return self.has_role("editor") and self.may_read_knowledge_base(knowledge_base)

    def may_read_groups(self, acl_groups: Sequence[str]) -> bool:
        """Whether a document with these access groups is readable by this caller."""
        if self.groups is None:
            return True
        return PUBLIC_GROUP in acl_groups or bool(set(acl_groups) & set(self.groups))

    def may_assign_groups(self, acl_groups: Sequence[str]) -> bool:
        """An upload may give a document only groups the caller holds (or '*', everyone)."""
        if self.groups is None:
            return True
        return all(g == PUBLIC_GROUP or g in self.groups for g in acl_groups)

    def read_groups(self, requested: Sequence[str] | None) -> list[str] | None:
        """The groups a search runs under: the caller's, narrowed by `requested` when given."""
        if requested is None:
            return None if self.groups is None else list(self.groups)
        if self.groups is None:
            return list(requested)
        return [g for g in requested if g in self.groups]

    def search_filter(
        self,
        knowledge_base: str | None = None,
        groups: Sequence[str] | None = None,
        file_types: Sequence[str] | None = None,
        modified_from: datetime | None = None,
        modified_to: datetime | None = None,
    ) -> SearchFilter:
        """The engine filter for this caller: its groups and knowledge bases always apply."""
        if knowledge_base is not None:
            bases: list[str] | None = [knowledge_base]
            if not self.may_read_knowledge_base(knowledge_base):
                bases = []  # nothing: reported as an unknown knowledge base
        else:
            bases = None if self.knowledge_bases is None else list(self.knowledge_bases)
        return SearchFilter(
            knowledge_bases=bases,
            acl_groups=self.read_groups(groups),
            file_types=[t.lower().lstrip(".") for t in file_types]
            if file_types is not None
            else None,
            modified_from=modified_from,
            modified_to=modified_to,
        )


LOCAL_ADMIN = Caller("local", "admin", None, None, subject="local", rate_limited=False)
"""The caller while no API key has ever been created: a fresh local install is single-user."""
