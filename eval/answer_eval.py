"""End to end: ingest a set, ask its questions, score retrieval, answers, citations and refusals.

Sets: samples/ (61 answerable + unanswerable questions over the sample documents, the ones every
rule was tuned on), samples-rewritten (two colloquial rewrites of each, over the same documents),
hospital (eval/corpora/hospital: another organisation's documents and questions, written apart
from the answer code; typed questions, dev and test splits) and KorQuAD dev (its paragraphs
indexed as text files but those of one article in eight, held out so that its questions are
unanswerable; `limit` questions spread over the articles), and scans (eval/corpora/
scanned_notices.py: four scanned or photographed notices that only OCR can read; the citation
must name the answer's page). `split` keeps dev or test questions:
tune on dev, report test.
Answers are scored KorQuAD style (exact match and character F1 against the gold span, after
removing [n] markers) and by containment (a generated sentence rarely equals a span exactly).

Each row keeps the model's draft and the passages it was written from. `recheck` re-runs
retrieval and the check on the saved drafts without generating (seconds instead of most of an
hour on CPU), for measuring a change to the check; a question whose passages changed since
the draft was written is generated again, so every row still describes the current pipeline.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from app.answer import AnswerResult, Timings
from app.citations import strip_markers
from app.services import Services
from eval.corpora.scanned_notices import QUESTIONS as SCAN_QUESTIONS
from eval.corpora.scanned_notices import write_notices
from eval.datasets import HOSPITAL, SAMPLES, QACase, load_questions, sample_questions
from eval.metrics import (
    char_f1,
    contains_answer,
    exact_match,
    latency_summary,
    ratio,
    same_document,
)
from eval.retrieval_eval import write_korquad_corpus
from retrieval.settings import RetrievalSettings
from retrieval.store.base import SearchFilter


def _answer(
    services: Services, case: QACase, saved: dict[str, Any] | None
) -> tuple[AnswerResult, bool]:
    """The pipeline's answer, from the saved draft when its passages are still the ones
    retrieved (then True), else generated (also when the saved row was refused before
    generation, so it has no draft)."""
    answerer, search_filter = services.answerer, SearchFilter()
    if saved is not None and saved.get("draft"):
        passages, why_not = answerer.retrieve(case.question, search_filter)
        if [p.chunk_id for p in passages] == saved["passage_ids"] and not why_not:
            timings = Timings(**saved["timings"])
            draft = saved["draft"]
            return answerer.finish(case.question, draft, passages, timings, search_filter), True
    return answerer.answer(case.question, search_filter), False


def _evaluate_case(
    services: Services, case: QACase, saved: dict[str, Any] | None = None
) -> dict[str, Any]:
    search_filter = SearchFilter()
    result = services.searcher.search(case.question, search_filter, limit=5)
    files = [str(hit.payload.get("file_name", "")) for hit in result.hits]
    answer, rechecked = _answer(services, case, saved)
    cited_files = [c.source_uri.rsplit("/", 1)[-1] for c in answer.citations]
    cited_texts = {p.number: p.text for p in answer.passages}
    row: dict[str, Any] = {
        "id": case.id,
        "question": case.question,
        "expected": case.answer,
        "sources": list(case.sources),
        "answerable": case.answerable,
        "type": case.type,
        "split": case.split,
        "answer": answer.answer,
        "refused": answer.refused,
        "refusal_reason": answer.refusal_reason,
        "draft": answer.draft,
        "passage_ids": [p.chunk_id for p in answer.passages],
        "retrieved": files,
        "cited": cited_files,
        "consistency": answer.consistency.score,
        "sentences": [
            {"text": s.text, "label": s.label, "reasons": s.reasons}
            for s in answer.consistency.sentences
        ],
        "out_of_scope": list(answer.consistency.out_of_scope),
        "decision": asdict(answer.decision) if answer.decision else None,
        "timings": asdict(answer.timings),
        "rechecked": rechecked,
    }
    if case.answerable:
        gold = [f for f in files if any(same_document(f, s) for s in case.sources)]
        prompt_files = {str(p.payload.get("file_name", "")) for p in answer.passages}
        row["hit1"] = bool(files) and files[0] in gold
        row["hit5"] = bool(gold)
        row["in_prompt"] = all(any(same_document(f, s) for f in prompt_files) for s in case.sources)
        row["correct"] = not answer.refused and is_right(answer.answer, case)
        plain = "" if answer.refused else strip_markers(answer.answer)
        row["draft_correct"] = is_right(answer.draft, case)
        row["exact_match"] = exact_match(plain, case.answer)
        row["f1"] = round(char_f1(plain, case.answer), 3)
        row["citations_with_answer"] = [
            any(contains_answer(cited_texts[c.number], form) for form in case.forms)
            for c in answer.citations
        ]
        row["citation_ok"] = bool(cited_files) and all(
            any(same_document(f, s) for s in case.sources) for f in cited_files
        )
        row["cited_pages"] = [c.page for c in answer.citations]
        if case.page is not None:
            row["page_ok"] = case.page in row["cited_pages"]
    return row


def is_right(text: str, case: QACase) -> bool:
    """Contains the expected answer in one of its written forms (every part, for an answer
    drawn from two documents)."""
    if case.answer_parts:
        return all(contains_answer(text, part) for part in case.answer_parts)
    return any(contains_answer(text, form) for form in case.forms)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    cited = [r for r in answerable if r["cited"]]
    citations = [ok for r in answerable for ok in r["citations_with_answer"]]
    return {
        "questions": len(rows),
        "exact_match": ratio(sum(r["exact_match"] for r in answerable), len(answerable)),
        "f1": ratio(round(sum(r["f1"] for r in answerable) * 1000), 1000 * len(answerable)),
        "retrieval_hit@1": ratio(sum(r["hit1"] for r in answerable), len(answerable)),
        "retrieval_hit@5": ratio(sum(r["hit5"] for r in answerable), len(answerable)),
        "answer_accuracy": ratio(sum(r["correct"] for r in answerable), len(answerable)),
        "refusal_accuracy": ratio(sum(r["refused"] for r in unanswerable), len(unanswerable)),
        "refusal_precision": ratio(
            sum(r["refused"] for r in unanswerable), sum(r["refused"] for r in rows)
        ),
        "false_refusals": ratio(sum(r["refused"] for r in answerable), len(answerable)),
        "draft_accuracy": ratio(sum(r["draft_correct"] for r in answerable), len(answerable)),
        "in_prompt": ratio(sum(r["in_prompt"] for r in answerable), len(answerable)),
        **_wrong_when_supported(rows),
        "citation_accuracy": ratio(sum(r["citation_ok"] for r in cited), len(cited)),
        "citation_precision": ratio(sum(citations), len(citations)),
        **_page_accuracy(cited),
        "mean_consistency": ratio(
            round(sum(r["consistency"] or 0 for r in answerable if not r["refused"]) * 1000),
            1000 * max(1, sum(not r["refused"] for r in answerable)),
        ),
        "latency_ms": {
            stage: latency_summary([r["timings"][stage] for r in rows if r["timings"][stage]])
            for stage in ("retrieve_ms", "first_token_ms", "generate_ms", "check_ms")
        }
        | {"answer_ms": latency_summary([_answer_ms(r) for r in rows if r["draft"]])},
    }


def _answer_ms(row: dict[str, Any]) -> float:
    """The whole answer of a row the model was asked for (generation includes its first token)."""
    return Timings(**row["timings"]).answer_ms


def _page_accuracy(cited: list[dict[str, Any]]) -> dict[str, Any]:
    """Cited answers whose citations include the page the answer is on (sets that say)."""
    paged = [r for r in cited if "page_ok" in r]
    return (
        {"citation_page_accuracy": ratio(sum(r["page_ok"] for r in paged), len(paged))}
        if paged
        else {}
    )


def _wrong_when_supported(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Answers shown with every sentence supported that are wrong (an unanswerable question
    answered, or the expected answer missing): the error that destroys trust."""
    shown = [r for r in rows if not r["refused"] and r["consistency"] == 1.0]
    wrong = [r for r in shown if not r["answerable"] or not r["correct"]]
    return {
        "fully_supported": len(shown),
        "wrong_when_fully_supported": ratio(len(wrong), len(shown)),
        "wrong_fully_supported_of_all": ratio(len(wrong), len(rows)),
    }


def breakdown(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The summary per split and per question type (types as the question file names them)."""
    out: dict[str, Any] = {}
    for key in ("split", "type"):
        for value in sorted({r[key] for r in rows}):
            out[f"{key}={value}"] = summarize([r for r in rows if r[key] == value])
    return out


KORQUAD_HOLD_OUT_EVERY = 8
"""One article in eight is left out of the index: 5 of the 42 (12 of the default 100 questions),
each about a topic (a person, a war, an election) that other articles touch on."""


def korquad_questions(docs: Path, limit: int) -> list[QACase]:
    """Writes the KorQuAD paragraphs into `docs` but the held-out articles'; every k-th
    question, so all articles appear, unanswerable when its article was held out."""
    cases = write_korquad_corpus(docs, hold_out_every=KORQUAD_HOLD_OUT_EVERY)
    step = max(1, len(cases) // max(1, limit))
    return [
        QACase(f"korquad-{i}", c.question, c.answer, (c.gold_file,), (docs / c.gold_file).exists())
        for i, c in enumerate(cases[::step][:limit])
    ]


def questions_of(set_name: str, limit: int | None) -> tuple[Path, list[QACase]]:
    """The documents folder and the questions of a set."""
    if set_name == "korquad":
        # A fixed folder (the eval's store is a fresh temporary one): document ids follow the
        # path, and --recheck matches passages by id.
        docs = RetrievalSettings().data_dir.resolve() / "eval" / "korquad"
        shutil.rmtree(docs, ignore_errors=True)
        docs.mkdir(parents=True)
        return docs, korquad_questions(docs, limit or 100)
    if set_name == "hospital":
        return HOSPITAL / "docs", load_questions(HOSPITAL / "questions.jsonl")
    if set_name == "scans":
        docs = write_notices(RetrievalSettings().data_dir.resolve() / "eval" / "scans")
        return docs, list(SCAN_QUESTIONS)
    if set_name == "samples-rewritten":
        return SAMPLES / "docs", load_questions(SAMPLES / "questions_rewritten.jsonl")
    return SAMPLES / "docs", sample_questions()


def run(
    services: Services,
    set_name: str,
    out_dir: Path,
    limit: int | None = None,
    recheck: bool = False,
    split: str = "all",
) -> dict[str, Any]:
    """Writes answers-<set>[-<split>].json (rows, summary, and the summary per split and
    question type) after every question; `recheck` reuses its saved drafts, and rows missing
    from the saved report are generated."""
    name = set_name if split == "all" else f"{set_name}-{split}"
    report_path = out_dir / f"answers-{name}.json"
    saved: dict[str, dict[str, Any]] = {}
    if recheck:
        saved = {r["id"]: r for r in json.loads(report_path.read_text("utf-8"))["rows"]}
    docs, cases = questions_of(set_name, limit)
    cases = [c for c in cases if split in ("all", c.split)]
    if set_name != "korquad":
        cases = cases[:limit]
    started = time.perf_counter()
    report = services.indexer.ingest(docs, set_name)
    ingest_s = time.perf_counter() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    summary = summarize(rows)
    for case in cases:  # saved after every question: an interrupted run keeps its drafts
        rows.append(_evaluate_case(services, case, saved.get(case.id)))
        summary = summarize(rows)
        summary["rechecked"] = sum(r["rechecked"] for r in rows)
        summary["ingest"] = {**report.counts(), "seconds": round(ingest_s, 1)}
        summary["llm"] = services.llm.name
        summary["embedder"] = services.embedder.name
        body = {"summary": summary, "breakdown": breakdown(rows), "rows": rows}
        report_path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return summary
