"""/metrics, request ids and JSON logs: what an operator's Prometheus and log pipeline read."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from secured import Keys, bearer

from app.api import create_app
from app.observability import JsonFormatter, request_id
from app.services import Services

REPO = Path(__file__).resolve().parents[1]


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_count_requests_per_route_template_and_index_chunks(services: Services) -> None:
    client = TestClient(create_app(services))
    client.get("/healthz")
    client.get("/v1/documents/00000000-0000-0000-0000-000000000000")  # 404, templated
    client.get("/no/such/path")
    samples = _samples(client.get("/metrics").text)
    key = (
        "kdocqa_http_requests_total",
        (("method", "GET"), ("route", "/healthz"), ("status", "200")),
    )
    assert samples[key] >= 1
    templated = (("method", "GET"), ("route", "/v1/documents/{document_id}"), ("status", "404"))
    assert samples[("kdocqa_http_requests_total", templated)] >= 1
    unmatched = (("method", "GET"), ("route", "unmatched"), ("status", "404"))
    assert samples[("kdocqa_http_requests_total", unmatched)] >= 1
    assert not any("0000-0000" in str(labels) for _, labels in samples), "no raw paths"
    chunks = samples[("kdocqa_index_chunks", (("knowledge_base", "samples"),))]
    assert chunks == services.store.count()
    assert ("kdocqa_llm_queue_depth", ()) in samples
    assert any(name == "kdocqa_http_request_duration_seconds_bucket" for name, _ in samples)


def test_request_id_is_a_header_and_an_audit_field(api: TestClient, keys: Keys) -> None:
    since = (datetime.now(UTC) - timedelta(seconds=2)).isoformat()
    given = api.get("/v1/knowledge-bases", headers={**bearer(keys.hr), "X-Request-ID": "trace-42"})
    assert given.headers["X-Request-ID"] == "trace-42"
    made = api.post(
        "/v1/search",
        json={"question": "사내 체육대회", "knowledge_base": "leak"},
        headers=bearer(keys.hr),
    )
    rid = made.headers["X-Request-ID"]
    assert len(rid) == 32 and rid != "trace-42"
    hostile = api.get("/healthz", headers={"X-Request-ID": "a b\x7f" + "x" * 100})
    assert hostile.headers["X-Request-ID"] != "a b\x7f" + "x" * 100, "not echoed unchecked"
    events = api.get("/v1/audit", params={"since": since}, headers=bearer(keys.admin)).json()
    searches = [e for e in events["events"] if e["action"] == "search"]
    assert searches[-1]["request_id"] == rid
    refused = api.get("/v1/knowledge-bases")
    assert refused.status_code == 401 and len(refused.headers["X-Request-ID"]) == 32


def test_metrics_need_an_admin(api: TestClient, keys: Keys) -> None:
    assert api.get("/metrics", headers=bearer(keys.hr)).status_code == 403
    assert api.get("/metrics").status_code == 401
    assert api.get("/metrics", headers=bearer(keys.admin)).status_code == 200


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.makeLogRecord(
        {"name": "kdocqa.access", "levelno": 20, "levelname": "INFO", "msg": "request"}
    )
    record.route = "/v1/ask"
    token = request_id.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["request_id"] == "abc123" and line["route"] == "/v1/ask"
    assert line["message"] == "request" and line["level"] == "info"


def test_the_grafana_dashboard_reads_metrics_the_service_exports(services: Services) -> None:
    dashboard = json.loads((REPO / "monitoring" / "grafana-dashboard.json").read_text())
    queried = {
        re.sub(r"_(bucket|count|sum)$", "", name)
        for panel in dashboard["panels"]
        for target in panel["targets"]
        for name in re.findall(r"kdocqa_\w+", target["expr"])
    }
    exported = TestClient(create_app(services)).get("/metrics").text
    names = {family.name for family in text_string_to_metric_families(exported)}
    names |= {f"{name}_total" for name in names}  # counters are exported without _total
    assert queried and queried <= names, queried - names
