"""Deterministic dev/test splits, stratified, decided by a hash of a group id.

Why a hash: the split must not change when rows are added or reordered elsewhere, and nobody
may pick which questions land in dev. Within each stratum (question type, checker case kind)
the groups are ordered by SHA-256 of their id and the first 40% (rounded) become dev.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from typing import Any

DEV_SHARE = 0.4


def _rank(group: str) -> str:
    return hashlib.sha256(group.encode("utf-8")).hexdigest()


def assign(
    rows: list[dict[str, Any]], stratum: str, group: str = "id", dev_share: float = DEV_SHARE
) -> list[dict[str, Any]]:
    """`rows` with a "split" field ("dev" or "test"); rows sharing `group` share the split."""
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        groups[str(row[stratum])].add(str(row[group]))
    dev: set[str] = set()
    for members in groups.values():
        ordered = sorted(members, key=_rank)
        dev.update(ordered[: round(len(ordered) * dev_share)])
    return [{**row, "split": "dev" if str(row[group]) in dev else "test"} for row in rows]
