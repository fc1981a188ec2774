"""GET /metrics: Prometheus text format, admin only (Prometheus sends a key with
`authorization: {credentials_file: …}`; the local single-user install needs none).

The process's counters and histograms (app.observability) plus, read at scrape time, the
chunks and documents per knowledge base. Knowledge-base names are the only label taken from
data; they are bounded by what editors create.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.api.deps import AdminDep, ServicesDep
from app.inventory import knowledge_bases
from app.services import Services
from retrieval.store.base import SearchFilter

router = APIRouter(tags=["health"])


class IndexCollector(Collector):
    """Chunks and documents per knowledge base, counted when scraped."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def collect(self) -> Iterator[GaugeMetricFamily]:
        chunks = GaugeMetricFamily(
            "kdocqa_index_chunks",
            "Chunks in the index per knowledge base.",
            labels=["knowledge_base"],
        )
        documents = GaugeMetricFamily(
            "kdocqa_index_documents",
            "Documents in the index per knowledge base.",
            labels=["knowledge_base"],
        )
        for kb in knowledge_bases(self.services.store, SearchFilter(), self.services.uploads_dir):
            chunks.add_metric([kb["name"]], kb["chunks"])
            documents.add_metric([kb["name"]], kb["documents"])
        yield chunks
        yield documents


@router.get("/metrics", response_class=Response)
def metrics(_: AdminDep, services: ServicesDep) -> Response:
    index = CollectorRegistry(auto_describe=False)
    index.register(IndexCollector(services))
    body = generate_latest(REGISTRY) + generate_latest(index)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
