"""Process-wide wiring: one store, one embedder, one LLM, shared by the API, the CLI and eval.

In embedded mode one process owns the Qdrant Edge store, so ingestion started through the API
runs inside the API process and shares these objects.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from app.answer import Answerer
from app.audit import AuditLog
from app.consistency import ConsistencyChecker
from app.consistency.decision import load_decision_model
from app.conversation import Conversations
from app.db.database import Database, default_url
from app.keys import KeyStore
from app.llm import LLM, create_llm
from app.observability import SYNC_RUNS, record_files
from app.settings import AppSettings
from app.settings import get_settings as get_app_settings
from ingest.index import Indexer
from ingest.parse_pool import ParsePool
from ingest.settings import IngestSettings
from ingest.settings import get_settings as get_ingest_settings
from ingest.sync import Progress, rebuild_sources, sync_sources, write_report
from retrieval.embedding import Embedder, load_embedder
from retrieval.search import HybridSearcher
from retrieval.settings import RetrievalSettings
from retrieval.settings import get_settings as get_retrieval_settings
from retrieval.store.base import ChunkStore
from retrieval.store.factory import open_store


@dataclass
class Services:
    retrieval: RetrievalSettings = field(default_factory=get_retrieval_settings)
    app: AppSettings = field(default_factory=get_app_settings)
    ingest: IngestSettings = field(default_factory=get_ingest_settings)
    ingest_lock: threading.Lock = field(default_factory=threading.Lock)

    @cached_property
    def database(self) -> Database:
        """The service's own state, migrated to the latest schema when first opened."""
        database = Database(self.app.database_url or default_url(self.retrieval.data_dir))
        database.migrate()
        return database

    @cached_property
    def keys(self) -> KeyStore:
        return KeyStore(self.database)

    @cached_property
    def audit(self) -> AuditLog:
        return AuditLog(self.database, self.app.audit_retention_days)

    @cached_property
    def conversations(self) -> Conversations:
        return Conversations(self.database, self.app.session_turns)

    @cached_property
    def embedder(self) -> Embedder:
        return load_embedder(self.retrieval)

    @cached_property
    def store(self) -> ChunkStore:
        store = open_store(self.retrieval)
        store.ensure_collection(self.embedder.dim)
        return store

    @cached_property
    def searcher(self) -> HybridSearcher:
        return HybridSearcher(self.store, self.embedder, self.retrieval)

    @cached_property
    def llm(self) -> LLM:
        return create_llm(self.app, self.retrieval.models_dir)

    @cached_property
    def checker(self) -> ConsistencyChecker:
        """The judge policy: the LLM verifies each sentence only when that is cheap (a GPU or a
        remote server) unless configured on or off; it always translates claims in the other
        language than their passages."""
        judge = self.app.consistency_judge
        use_judge = judge == "on" or (judge == "auto" and self.llm.accelerated)
        return ConsistencyChecker(
            self.embedder,
            self.llm if use_judge else None,
            self.app.consistency_threshold,
            translator=self.llm,
        )

    @cached_property
    def answerer(self) -> Answerer:
        decision = load_decision_model()
        if self.app.answer_threshold is not None:
            decision = replace(decision, threshold=self.app.answer_threshold)
        return Answerer(self.searcher, self.llm, self.app, self.checker, decision)

    @cached_property
    def indexer(self) -> Indexer:
        return Indexer(self.store, self.embedder, self.ingest, self.retrieval)

    @cached_property
    def upload_pool(self) -> ParsePool:
        """One worker process that parses uploads, with a time and memory limit per file."""
        settings = self.ingest
        return ParsePool(
            1,
            settings.max_unpacked_mb,
            isolated=True,
            timeout_s=settings.upload_parse_timeout_s,
            memory_mb=settings.upload_parse_memory_mb,
            ocr=settings.ocr_options(),
        )

    @property
    def reports_dir(self) -> Path:
        return self.retrieval.data_dir / "reports"

    def sync_sources(
        self, wait: bool = True, progress: Progress | None = None, rebuild: bool = False
    ) -> tuple[dict[str, Any], Path] | None:
        """Sync every configured source (or rebuild the whole index) and save the report:
        (report, its file). None if a sync or upload is already writing and wait=False — one
        writer at a time."""
        if not self.ingest_lock.acquire(blocking=wait):
            return None
        kind = "rebuild" if rebuild else "sync"
        try:
            run = rebuild_sources if rebuild else sync_sources
            report = run(self.indexer, self.ingest.sources, progress)
        except BaseException:
            SYNC_RUNS.labels(kind, "error").inc()
            raise
        finally:
            self.ingest_lock.release()
        failed = any("error" in source for source in report.get("sources", []))
        SYNC_RUNS.labels(kind, "error" if failed else "ok").inc()
        record_files(kind, report.get("counts", {}))
        return report, write_report(report, self.reports_dir)

    @property
    def uploads_dir(self) -> Path:
        return self.retrieval.data_dir / "uploads"

    def sharing_models(self, retrieval: RetrievalSettings) -> Services:
        """Another index — its own store under `retrieval` — served by the models this one has
        already loaded. BM25's IDF is collection-wide, so an evaluation set or a test that
        writes documents must not share a collection with figures measured on other data."""
        if retrieval.embedding_model != self.retrieval.embedding_model:
            raise ValueError("sharing_models needs the same embedding model")
        other = Services(retrieval=retrieval, app=self.app, ingest=self.ingest.model_copy())
        for name in ("embedder", "llm"):  # loaded models, never the store
            if name in self.__dict__:
                other.__dict__[name] = self.__dict__[name]
        return other

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()
        if "database" in self.__dict__:
            self.database.close()
        if "upload_pool" in self.__dict__:
            self.upload_pool.close()
