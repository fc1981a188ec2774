"""End-to-end evaluation on samples/: ingest, ask every question, score retrieval and answers."""

from __future__ import annotations

import json
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.answer import AnswerResult
from app.services import Services
from eval.datasets import SAMPLES, QACase, sample_questions
from eval.metrics import contains_answer, latency_summary, ratio, same_document
from retrieval.store.base import SearchFilter


def _evaluate_case(services: Services, case: QACase) -> dict[str, Any]:
    search_filter = SearchFilter()
    result = services.searcher.search(case.question, search_filter, limit=5)
    files = [str(hit.payload.get("file_name", "")) for hit in result.hits]
    answer: AnswerResult = services.answerer.answer(case.question, search_filter)
    cited_files = [c.source_uri.rsplit("/", 1)[-1] for c in answer.citations]
    row: dict[str, Any] = {
        "id": case.id,
        "question": case.question,
        "expected": case.answer,
        "source": case.source,
        "answerable": case.answerable,
        "answer": answer.answer,
        "refused": answer.refused,
        "retrieved": files,
        "cited": cited_files,
        "consistency": answer.consistency.score,
        "timings": asdict(answer.timings),
    }
    if case.answerable:
        row["hit1"] = bool(files) and same_document(files[0], case.source)
        row["hit5"] = any(same_document(f, case.source) for f in files[:5])
        row["correct"] = not answer.refused and contains_answer(answer.answer, case.answer)
        row["citation_ok"] = bool(cited_files) and all(
            same_document(f, case.source) for f in cited_files
        )
    return row


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    cited = [r for r in answerable if r["cited"]]
    return {
        "questions": len(rows),
        "retrieval_hit@1": ratio(sum(r["hit1"] for r in answerable), len(answerable)),
        "retrieval_hit@5": ratio(sum(r["hit5"] for r in answerable), len(answerable)),
        "answer_accuracy": ratio(sum(r["correct"] for r in answerable), len(answerable)),
        "refusal_accuracy": ratio(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "false_refusals": ratio(sum(r["refused"] for r in answerable), len(answerable)),
        "citation_accuracy": ratio(sum(r["citation_ok"] for r in cited), len(cited)),
        "mean_consistency": ratio(
            round(sum(r["consistency"] or 0 for r in answerable if not r["refused"]) * 1000),
            1000 * max(1, sum(not r["refused"] for r in answerable)),
        ),
        "latency_ms": {
            stage: latency_summary([r["timings"][stage] for r in rows if r["timings"][stage]])
            for stage in ("retrieve_ms", "first_token_ms", "generate_ms", "check_ms")
        },
    }


def run(services: Services, out_dir: Path, docs: Path = SAMPLES / "docs") -> dict[str, Any]:
    started = time.perf_counter()
    report = services.indexer.ingest(docs, "samples")
    ingest_s = time.perf_counter() - started
    rows = [_evaluate_case(services, case) for case in sample_questions()]
    summary = summarize(rows)
    summary["ingest"] = {**report.counts(), "seconds": round(ingest_s, 1)}
    summary["llm"] = services.llm.name
    summary["embedder"] = services.embedder.name
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "samples.json").write_text(
        json.dumps({"summary": summary, "rows": rows}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    return summary
