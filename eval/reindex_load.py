"""Hybrid search while the index is rewritten (`python -m eval reindex-load`).

What an operator needs to know before scheduling the nightly sync or a rebuild during office
hours: how much slower do questions get, and does any fail? samples/ is indexed as a configured
source; then the product's search call (query embedding + hybrid DBSF query, as /v1/search
makes it) runs back to back from a client thread, first with nothing else running (idle),
then during a nightly sync with a tenth of the files changed, then during a full rebuild
(`sync --rebuild`: everything re-embedded into a new collection, then the switch). The sync
runs in the same process on the same store object, as `kdocqa serve` runs it embedded. A
search that raises or returns no hit counts as failed. The query-vector cache is cleared before
every search (questions repeat here; users' mostly do not), and idle is measured again after the
rebuild, since other processes' load on a shared machine moves all the figures.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from app.services import Services
from app.settings import AppSettings
from eval.datasets import sample_questions
from eval.speed_bench import machine
from ingest.settings import IngestSettings, Source
from retrieval.settings import RetrievalSettings

SAMPLES = Path(__file__).resolve().parents[1] / "samples" / "docs"
IDLE_QUERIES = 200


def _latencies(
    services: Services, questions: list[str], stop: Callable[[], bool]
) -> dict[str, Any]:
    """Searches back to back until `stop()`: per-search milliseconds and failures."""
    times: list[float] = []
    failures: list[str] = []
    i = 0
    uncached = getattr(services.embedder.embed_query, "cache_clear", lambda: None)
    while not stop():
        question = questions[i % len(questions)]
        i += 1
        uncached()
        started = time.perf_counter()
        try:
            if not services.searcher.search(question).hits:
                failures.append(f"no hits: {question}")
        except Exception as error:  # counted, never hidden: the figure is "no request fails"
            failures.append(f"{type(error).__name__}: {error}")
        times.append((time.perf_counter() - started) * 1000)
    return _summary(times, failures)


def _summary(times: list[float], failures: list[str]) -> dict[str, Any]:
    values = np.array(times or [0.0])
    return {
        "searches": len(times),
        "failed": len(failures),
        "failures": failures[:10],
        "p50_ms": round(float(np.percentile(values, 50)), 1),
        "p95_ms": round(float(np.percentile(values, 95)), 1),
        "max_ms": round(float(values.max()), 1),
    }


def _under(services: Services, questions: list[str], job: Callable[[], Any]) -> dict[str, Any]:
    """Search while `job` runs on another thread; the job's own duration beside it."""
    done = threading.Event()
    timing: dict[str, float] = {}

    def run_job() -> None:
        started = time.perf_counter()
        try:
            job()
        finally:
            timing["seconds"] = time.perf_counter() - started
            done.set()

    worker = threading.Thread(target=run_job)
    worker.start()
    result = _latencies(services, questions, done.is_set)
    worker.join()
    return {**result, "job_seconds": round(timing["seconds"], 1)}


def _idle(services: Services, questions: list[str]) -> dict[str, Any]:
    count = iter(range(IDLE_QUERIES))
    return _latencies(services, questions, lambda: next(count, None) is None)


def _change_a_tenth(docs: Path) -> list[str]:
    """Edit a tenth of the text files (at least one): the nightly sync's usual work."""
    texts = sorted(p for p in docs.iterdir() if p.suffix in (".md", ".txt"))
    changed = texts[: max(1, round(len(list(docs.iterdir())) / 10))]
    for path in changed:
        with path.open("a", encoding="utf-8") as f:
            f.write("\n\n부칙: 이 문서는 정기 점검 후 개정되었습니다.\n")
    return [p.name for p in changed]


def run(out_dir: Path) -> dict[str, Any]:
    models = RetrievalSettings().models_dir.resolve()
    questions = [case.question for case in sample_questions()]
    with tempfile.TemporaryDirectory() as tmp:
        data, docs = Path(tmp) / "data", Path(tmp) / "docs"
        data.mkdir()
        (data / "models").symlink_to(models)
        shutil.copytree(SAMPLES, docs)
        ingest = IngestSettings(sources=[Source(path=docs, knowledge_base="samples")])
        services = Services(
            retrieval=RetrievalSettings(data_dir=data), app=AppSettings(), ingest=ingest
        )
        try:
            started = time.perf_counter()
            services.sync_sources()
            first_index_s = time.perf_counter() - started
            services.searcher.search(questions[0])  # warm the query path
            idle = _idle(services, questions)
            changed = _change_a_tenth(docs)
            sync = _under(services, questions, services.sync_sources)
            rebuild = _under(services, questions, lambda: services.sync_sources(rebuild=True))
            idle_after = _idle(services, questions)
            chunks = services.store.count()
        finally:
            services.close()
    report = {
        "machine": machine(),
        "chunks": chunks,
        "first_index_s": round(first_index_s, 1),
        "changed_files": changed,
        "idle": idle,
        "idle_after": idle_after,
        "nightly_sync": {**sync, "p95_vs_idle": round(sync["p95_ms"] / idle["p95_ms"], 2)},
        "full_rebuild": {**rebuild, "p95_vs_idle": round(rebuild["p95_ms"] / idle["p95_ms"], 2)},
        "target": "p95 during a re-index <= 3x idle, no search fails",
    }
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "reindex-load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    return report
