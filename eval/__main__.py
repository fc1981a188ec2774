"""python -m eval answers | retrieval | tokenizers | speed | ingest | ocr | consistency | decide | llm |
feedback | reindex-load
(README "Evaluation").

Each run indexes into a fresh temporary store, with the models of the configured data directory;
`--store-dir DIR` keeps the store instead, so a re-run re-embeds nothing that is unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from eval.datasets import ANSWER_SETS, SPLITS

SETS = ["samples", "korquad"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="command", required=True)
    answers = sub.add_parser("answers", help="end to end: ingest a set, ask its questions")
    answers.add_argument("--set", default="samples", choices=ANSWER_SETS)
    answers.add_argument("--limit", type=int, help="questions to ask (KorQuAD default 100)")
    answers.add_argument(
        "--split", default="all", choices=SPLITS, help="dev to tune on, test to report"
    )
    answers.add_argument("--llm", help="LLM name or GGUF path (default: the configured one)")
    answers.add_argument(
        "--recheck", action="store_true", help="re-check the saved drafts instead of generating"
    )
    quoted = sub.add_parser("quoted", help="evidence-first generation: quotes, then answers")
    quoted.add_argument("--set", default="hospital", choices=ANSWER_SETS)
    quoted.add_argument("--split", default="dev", choices=SPLITS)
    quoted.add_argument("--limit", type=int, help="questions to ask")
    quoted.add_argument("--reverify", action="store_true", help="judge the saved replies again")
    retrieval = sub.add_parser("retrieval", help="recall/MRR/nDCG of dense, sparse and hybrid")
    tokenizers = sub.add_parser("tokenizers", help="BM25 with morphemes vs character bigrams")
    for command in (retrieval, tokenizers):
        command.add_argument("--set", nargs="+", default=SETS, choices=SETS)
    speed = sub.add_parser("speed", help="search latency and index memory at 10k/100k chunks")
    speed.add_argument("--sizes", nargs="+", type=int, default=[10_000, 100_000])
    ingest = sub.add_parser("ingest", help="ingestion throughput: full index and 1%% re-sync")
    ingest.add_argument("--files", type=int, default=2000)
    ingest.add_argument(
        "--parse-only", action="store_true", help="time parse + chunk only (ingest-parse.json)"
    )
    ocr = sub.add_parser("ocr", help="OCR error rate and speed on rendered Korean scans")
    ocr.add_argument("--pages", type=int, default=8, help="pages per condition (4 conditions)")
    ocr.add_argument("--files", type=int, default=200, help="files in the 10%%-scans ingest")
    ocr.add_argument("--dev", action="store_true", help="the pages the OCR rules are tuned on")
    consistency = sub.add_parser("consistency", help="calibrate the checker on KLUE-NLI dev")
    consistency.add_argument("--judge-pairs", type=int, default=400, help="pairs the LLM judges")
    consistency.add_argument(
        "--write-calibration", action="store_true", help="update app/consistency/calibration.json"
    )
    consistency.add_argument(
        "--reuse-signals", action="store_true", help="re-fit from consistency-signals.jsonl"
    )
    cases = sub.add_parser("checker-cases", help="the checker on the hospital one-sentence cases")
    cases.add_argument("--judge", action="store_true", help="with the LLM judge")
    decide = sub.add_parser("decide", help="fit the answer decision on saved dev answer reports")
    decide.add_argument("reports", nargs="+", type=Path, help="answers-<set>-dev.json files")
    decide.add_argument("--fit", action="store_true", help="write app/consistency/decision.json")
    decide.add_argument(
        "--wrong-cost", type=float, help="a wrong answer shown, in refused right ones (default 1)"
    )
    decide.add_argument(
        "--apply", type=Path, nargs="*", default=[], help="answers-<set>-test.json reports"
    )
    decide.add_argument(
        "--signals", nargs="+", help="signals recorded in the reports (default: the shipped ones)"
    )
    decide.add_argument(
        "--standardize", action="store_true", help="scale each signal to unit variance first"
    )
    agreement = sub.add_parser("agreement", help="sample agreement from the probe's samples")
    agreement.add_argument("--reports", type=Path, default=Path("eval/reports"))
    reindex = sub.add_parser("reindex-load", help="search p95 during a nightly sync and a rebuild")
    llm = sub.add_parser("llm", help="prompt/generation speed, first token, KV-cache reuse")
    llm.add_argument("--llm", help="LLM name or GGUF path (default: the configured one)")
    feedback = sub.add_parser("feedback", help="export the UI's 👍/👎 as a question set")
    feedback.add_argument("--out", type=Path, default=Path("eval/reports/feedback.jsonl"))
    feedback.add_argument("--since", type=datetime.fromisoformat, help="ISO 8601 start")
    for command in (
        answers,
        quoted,
        retrieval,
        tokenizers,
        speed,
        ingest,
        ocr,
        consistency,
        cases,
        llm,
        reindex,
    ):
        command.add_argument("--out", type=Path, default=Path("eval/reports"))
    for command in (answers, quoted, retrieval):
        command.add_argument("--store-dir", type=Path, help="keep the eval store here")
    args = parser.parse_args()

    if getattr(args, "llm", None):
        os.environ["KDOCQA_LLM_MODEL"] = args.llm
    summary = _run(args)
    print(json.dumps(summary, ensure_ascii=False, indent=2))


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from retrieval.embedding import load_embedder
    from retrieval.settings import RetrievalSettings

    if args.command == "feedback":
        from app.services import Services
        from eval import feedback_export

        return feedback_export.run(Services().database, args.out, args.since)
    if args.command == "agreement":
        from eval import agreement

        return agreement.run(args.reports)
    if args.command == "tokenizers":
        from eval import tokenizer_eval

        return tokenizer_eval.run(load_embedder(), args.set, args.out)
    if args.command == "speed":
        from eval import speed_bench

        return speed_bench.run(load_embedder(), args.sizes, args.out)
    if args.command == "ingest":
        from eval import ingest_bench

        return ingest_bench.run(load_embedder(), args.files, args.out, args.parse_only)
    if args.command == "ocr":
        from eval import ocr_eval

        return ocr_eval.run(load_embedder(), args.pages, args.files, args.out, args.dev)

    if args.command == "checker-cases":
        from app.llm import create_llm
        from app.settings import AppSettings
        from eval import consistency_eval

        settings = RetrievalSettings()
        model = create_llm(AppSettings(), settings.models_dir)
        return consistency_eval.run_cases(load_embedder(settings), model, args.judge, args.out)
    if args.command == "reindex-load":
        from eval import reindex_load

        return reindex_load.run(args.out)
    if args.command == "decide":
        from eval import decision_fit

        cost = decision_fit.WRONG_COST if args.wrong_cost is None else args.wrong_cost
        signals = tuple(args.signals or decision_fit.SIGNALS)
        return decision_fit.run(args.reports, args.fit, cost, args.apply, signals, args.standardize)
    if args.command == "llm":
        from app.llm import create_llm
        from app.settings import AppSettings
        from eval import llm_bench

        settings = RetrievalSettings()
        model = create_llm(AppSettings(), settings.models_dir)
        return llm_bench.run(model, load_embedder(settings), args.out)
    if args.command == "consistency":
        from app.llm import create_llm
        from app.settings import AppSettings
        from eval import consistency_eval

        settings = RetrievalSettings()
        llm = create_llm(AppSettings(), settings.models_dir) if args.judge_pairs else None
        return consistency_eval.run(
            load_embedder(settings),
            llm,
            args.judge_pairs,
            args.out,
            args.write_calibration,
            args.reuse_signals,
        )

    from app.services import Services
    from app.settings import AppSettings
    from eval import answer_eval, quote_eval, retrieval_eval

    models = RetrievalSettings().models_dir.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.store_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        if not (data_dir / "models").exists():
            (data_dir / "models").symlink_to(models)
        services = Services(retrieval=RetrievalSettings(data_dir=data_dir), app=AppSettings())
        try:
            if args.command == "answers":
                return answer_eval.run(
                    services, args.set, args.out, args.limit, args.recheck, args.split
                )
            if args.command == "quoted":
                return quote_eval.run(
                    services, args.set, args.split, args.limit, args.out, args.reverify
                )
            return retrieval_eval.run(services, args.set, args.out)
        finally:
            services.close()


if __name__ == "__main__":
    main()
