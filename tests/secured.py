"""Secured services for the access-control tests: the session's models, but a store and a
database of their own, in which API keys exist. The session fixture itself never gets a key,
so every other test keeps running as the local admin, and its samples store stays read-only."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api import create_app
from app.services import Services


def secured_services(services: Services, data_dir: Path, **app_settings: Any) -> Services:
    """A store and a database of their own under `data_dir`, served by the session's models."""
    (data_dir / "models").symlink_to(services.retrieval.models_dir.resolve())
    services.llm  # noqa: B018 - loaded once, shared
    copy = services.sharing_models(services.retrieval.model_copy(update={"data_dir": data_dir}))
    copy.app = services.app.model_copy(update=app_settings)
    return copy


@dataclass
class Keys:
    hr: str
    sales: str
    editor: str
    admin: str


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


HR_SECRET = "임원 연봉 조정표: 코드 ZEBRA-4471, 임원 연봉 인상률은 7.3퍼센트로 확정한다."
SALES_NOTE = "영업 목표표: 코드 OTTER-9902, 하반기 영업 목표는 42억 원으로 정한다."
PUBLIC_NOTE = "사내 공지: 코드 PANDA-1188, 사내 체육대회는 10월 셋째 주 금요일에 연다."


def _write(folder: Path, name: str, title: str, body: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"# {title}\n\n## 제1조\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def secured(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """Knowledge base "leak": an hr secret, a sales note and a public note; "hr-only": the hr
    secret alone; "leak-edit": the editor's, holding one sales document it may not touch."""
    root = tmp_path_factory.mktemp("leak-docs")
    data = tmp_path_factory.mktemp("secured-data")
    copy = secured_services(services, data, rate_limit_per_minute=0.0)  # one test limits
    indexer = copy.indexer
    for n, (kb, groups, name, title, body) in enumerate(
        [
            ("leak", ["hr"], "인사 기밀.md", "인사 기밀", HR_SECRET),
            ("leak", ["sales"], "영업 목표.md", "영업 목표", SALES_NOTE),
            ("leak", ["*"], "사내 공지.md", "사내 공지", PUBLIC_NOTE),
            ("hr-only", ["hr"], "인사 기밀.md", "인사 기밀", HR_SECRET),
        ]
    ):
        path = _write(root / str(n), name, title, body)
        report = indexer.ingest(path, kb, groups)
        assert report.counts()["failed"] == 0, report.to_dict()
    yield copy
    copy.close()


@pytest.fixture(scope="session")
def keys(secured: Services) -> Keys:
    store = secured.keys
    return Keys(
        hr=store.create("hr-reader", "reader", ["hr"]),
        sales=store.create("sales-reader", "reader", ["sales"]),
        editor=store.create("hr-editor", "editor", ["hr"], ["leak-edit"]),
        admin=store.create("admin", "admin"),
    )


@pytest.fixture(scope="session")
def api(secured: Services, keys: Keys) -> TestClient:
    client = TestClient(create_app(secured))
    sales_doc = io.BytesIO(f"# 영업 계획\n\n## 제1조\n\n{SALES_NOTE}\n".encode())
    response = client.post(
        "/v1/documents",
        files={"file": ("영업 계획.md", sales_doc)},
        data={"knowledge_base": "leak-edit", "groups": "sales"},
        headers=bearer(keys.admin),
    )
    assert response.status_code == 200, response.text
    return client
