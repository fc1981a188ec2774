"""Keep every configured source folder in step with the index, on demand or on a cron schedule.

Each run writes one JSON report (per-source counts, every file that was not unchanged with its
reason, durations) under `<data dir>/reports/`, which the CLI prints and the API serves.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from ingest.index import FileOutcome, Indexer
from ingest.settings import Source

log = logging.getLogger(__name__)

Progress = Callable[[int, int, FileOutcome], None]


def sync_sources(
    indexer: Indexer, sources: Sequence[Source], progress: Progress | None = None
) -> dict[str, Any]:
    """Ingest every source in turn; a missing folder is reported, the others still run."""
    started = datetime.now().astimezone()
    runs: list[dict[str, Any]] = []
    for source in sources:
        try:
            report = indexer.ingest(
                source.path, source.knowledge_base, source.acl_groups, progress=progress
            )
        except FileNotFoundError as error:
            runs.append({"path": str(source.path), "error": str(error)})
            continue
        run = report.to_dict()
        # Unchanged files are the bulk of a nightly run and say nothing: count them only.
        run["files"] = [f for f in run["files"] if f["status"] != "unchanged"]
        runs.append({"path": str(source.path), **run})
    return {
        "started_at": started.isoformat(timespec="seconds"),
        "seconds": round((datetime.now().astimezone() - started).total_seconds(), 1),
        "counts": _totals(runs),
        "sources": runs,
    }


def rebuild_sources(
    indexer: Indexer, sources: Sequence[Source], progress: Progress | None = None
) -> dict[str, Any]:
    """Index everything again into a new collection and switch to it only when it is complete.

    For a new embedding model or chunking: questions keep being answered from the old index
    during the run. Besides the sources, every file the live index holds from elsewhere (API
    uploads) is re-indexed with the knowledge base and access groups stored with it. A source
    folder that is missing aborts the switch rather than dropping its documents.
    """
    generation = indexer.store.new_generation(indexer.embedder.dim)
    builder = Indexer(generation, indexer.embedder, indexer.settings, indexer.retrieval_settings)
    try:
        report = sync_sources(builder, sources, progress)
        rebuilt = {h.payload["source_uri"] for h in generation.scroll(fields=["source_uri"])}
        others: dict[str, tuple[str, list[str]]] = {}
        for hit in indexer.store.scroll(fields=["source_uri", "knowledge_base", "acl_groups"]):
            uri = str(hit.payload["source_uri"])
            if uri not in rebuilt:
                others[uri] = (str(hit.payload["knowledge_base"]), list(hit.payload["acl_groups"]))
        for uri, (kb, groups) in sorted(others.items()):
            run = builder.ingest(Path(uri), kb, groups) if Path(uri).is_file() else None
            report["sources"].append(
                {"path": uri, **run.to_dict()}
                if run
                else {"path": uri, "error": f"파일이 없어 다시 색인하지 못했습니다: {uri}"}
            )
        report["counts"] = _totals(report["sources"])
        complete = not any("error" in run for run in report["sources"] if run["path"] not in others)
        if complete:
            indexer.store.switch_to(generation)
    finally:
        generation.close()
    report["rebuild"] = {"switched": complete}
    return report


def _totals(runs: Sequence[dict[str, Any]]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for run in runs:
        for status, count in run.get("counts", {}).items():
            totals[status] = totals.get(status, 0) + count
    return totals


def write_report(report: dict[str, Any], reports_dir: Path) -> Path:
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "")[:15]
    path = reports_dir / f"sync-{stamp}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def recent_reports(reports_dir: Path, limit: int = 10) -> list[dict[str, Any]]:
    """Newest first."""
    paths = sorted(reports_dir.glob("sync-*.json"), reverse=True)[:limit]
    return [json.loads(p.read_text(encoding="utf-8")) for p in paths]


# -- schedule -------------------------------------------------------------------------------


def _field(spec: str, low: int, high: int) -> set[int]:
    values: set[int] = set()
    for part in spec.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if body == "*":
            start, end = low, high
        elif "-" in body:
            start, end = (int(x) for x in body.split("-", 1))
        else:
            start = int(body)
            end = high if step_text else start
        if not (low <= start <= end <= high) or step < 1:
            raise ValueError(f"cron field '{spec}' is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


def next_run(cron: str, after: datetime) -> datetime:
    """The first minute after `after` that matches a five-field cron expression.

    Supports `*`, lists, ranges and steps (e.g. "30 2 * * 1-5"); day-of-week 0 or 7 is Sunday.
    Day of month and day of week combine as in cron: either matches when both are restricted.
    """
    fields = cron.split()
    if len(fields) != 5:
        raise ValueError(f"cron expression needs 5 fields: '{cron}'")
    minutes, hours = _field(fields[0], 0, 59), _field(fields[1], 0, 23)
    days, months = _field(fields[2], 1, 31), _field(fields[3], 1, 12)
    weekdays = {d % 7 for d in _field(fields[4], 0, 7)}
    any_day, any_weekday = fields[2] == "*", fields[4] == "*"
    moment = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    for _ in range(366 * 24 * 60):
        weekday = (moment.weekday() + 1) % 7  # cron counts from Sunday
        day_ok = (
            (moment.day in days and weekday in weekdays)
            if any_day or any_weekday
            else (moment.day in days or weekday in weekdays)
        )
        if moment.month not in months or not day_ok:
            moment = (moment + timedelta(days=1)).replace(hour=0, minute=0)
        elif moment.hour not in hours:
            moment = (moment + timedelta(hours=1)).replace(minute=0)
        elif moment.minute not in minutes:
            moment += timedelta(minutes=1)
        else:
            return moment
    raise ValueError(f"cron expression never fires: '{cron}'")


def run_on_schedule(
    cron: str,
    job: Callable[[], object],
    stop: threading.Event,
    now: Callable[[], datetime] = lambda: datetime.now().astimezone(),
) -> None:
    """Call `job` at every time `cron` names until `stop` is set; a failing run is logged."""
    while not stop.is_set():
        due = next_run(cron, now())
        log.info("next sync at %s", due.isoformat(timespec="minutes"))
        while not stop.is_set() and now() < due:
            stop.wait(min(60.0, max((due - now()).total_seconds(), 0.1)))
        if stop.is_set():
            return
        started = time.perf_counter()
        try:
            job()
        except Exception:
            log.exception("scheduled sync failed")
        log.info("scheduled sync took %.1f s", time.perf_counter() - started)
