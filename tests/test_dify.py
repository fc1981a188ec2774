"""Dify's External Knowledge API (POST /retrieval) over the secured index: Dify's request and
response shapes, its error codes, and our access control on every record."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from secured import HR_SECRET, PUBLIC_NOTE, SALES_NOTE, Keys, bearer

from app.api.dify import MetadataCondition, matches
from app.api.openai_compat import ALL_MODEL


def _retrieve(api: TestClient, key: str | None, **body: Any) -> Any:
    request = {
        "knowledge_id": "leak",
        "query": "임원 연봉 인상률",
        "retrieval_setting": {"top_k": 5, "score_threshold": 0.0},
        **body,
    }
    headers = bearer(key) if key else {}
    return api.post("/retrieval", json=request, headers=headers)


def test_records_have_difys_shape_and_only_readable_documents(api: TestClient, keys: Keys) -> None:
    response = _retrieve(api, keys.hr)
    assert response.status_code == 200, response.text
    records = response.json()["records"]
    assert records and HR_SECRET in records[0]["content"]
    for record in records:
        assert set(record) == {"content", "score", "title", "metadata"}
        assert 0.0 < record["score"] <= 1.0 and isinstance(record["metadata"], dict)
        assert SALES_NOTE not in record["content"]
    assert (
        records[0]["title"] == "인사 기밀" and records[0]["metadata"]["file_name"] == "인사 기밀.md"
    )
    scores = [r["score"] for r in records]
    sales = _retrieve(api, keys.sales, query="영업 목표").json()["records"]
    assert all(HR_SECRET not in r["content"] for r in sales) and SALES_NOTE in sales[0]["content"]
    everything = _retrieve(api, keys.sales, knowledge_id=ALL_MODEL, query="영업 목표").json()
    assert {r["metadata"]["knowledge_base"] for r in everything["records"]} <= {"leak", "leak-edit"}
    # The threshold applies to the reported score; top_k bounds the records.
    above = _retrieve(
        api, keys.hr, retrieval_setting={"top_k": 5, "score_threshold": scores[0] - 1e-6}
    ).json()["records"]
    assert [r["score"] for r in above] == [scores[0]]
    one = _retrieve(api, keys.hr, retrieval_setting={"top_k": 1, "score_threshold": 0}).json()
    assert len(one["records"]) == 1


def test_metadata_condition_filters_records(api: TestClient, keys: Keys) -> None:
    condition = {
        "logical_operator": "and",
        "conditions": [
            {"name": ["file_name"], "comparison_operator": "start with", "value": "사내"}
        ],
    }
    records = _retrieve(api, keys.hr, metadata_condition=condition).json()["records"]
    assert records and all(r["metadata"]["file_name"] == "사내 공지.md" for r in records)
    assert PUBLIC_NOTE in records[0]["content"]


def test_difys_error_codes(api: TestClient, keys: Keys) -> None:
    malformed = api.post(
        "/retrieval",
        json={"knowledge_id": "leak", "query": "q", "retrieval_setting": {"top_k": 1}},
        headers={"Authorization": "Token abc"},
    )
    assert malformed.status_code == 403 and malformed.json()["error_code"] == 1001
    missing = _retrieve(api, None)
    assert missing.status_code == 403 and missing.json()["error_code"] == 1001
    wrong = _retrieve(api, "kdq_not_a_key")
    assert wrong.status_code == 403 and wrong.json()["error_code"] == 1002
    assert set(wrong.json()) == {"error_code", "error_msg"}
    for knowledge_id in ("없는-지식베이스", "hr-only", "../etc"):
        unknown = _retrieve(api, keys.sales, knowledge_id=knowledge_id)
        assert unknown.status_code == 404 and unknown.json()["error_code"] == 2001, knowledge_id
    empty = _retrieve(api, keys.hr, query="   ")
    assert empty.status_code == 422


def test_comparison_operators() -> None:
    metadata = {"file_name": "인사 기밀.md", "page": 3, "modified_at": "2026-03-01T00:00:00+00:00"}

    def check(operator: str, value: Any, name: str = "file_name") -> bool:
        condition = MetadataCondition.model_validate(
            {"conditions": [{"name": [name], "comparison_operator": operator, "value": value}]}
        )
        return matches(metadata, condition)

    assert check("contains", "기밀") and not check("not contains", "기밀")
    assert check("end with", ".md") and check("is", "인사 기밀.md") and check("is not", "x")
    assert check("in", ["a", "인사 기밀.md"]) and check("not in", ["a"])
    assert check("not empty", None) and not check("empty", None)
    assert check(">", 2, "page") and check("≤", 3, "page") and not check("≠", 3, "page")
    assert check("after", "2026-01-01T00:00:00+00:00", "modified_at")
    assert not check("before", "2026-01-01T00:00:00+00:00", "modified_at")
    assert not check("is", "x", "missing_field")
    either = MetadataCondition.model_validate(
        {
            "logical_operator": "or",
            "conditions": [
                {"name": ["file_name"], "comparison_operator": "is", "value": "x"},
                {"name": ["page"], "comparison_operator": "=", "value": 3},
            ],
        }
    )
    assert matches(metadata, either)
