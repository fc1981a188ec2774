"""python -m eval samples | retrieval | tokenizers | speed | ingest   (README "Evaluation").

Each run indexes into a fresh temporary store, with the models of the configured data directory;
`--store-dir DIR` keeps the store instead, so a re-run re-embeds nothing that is unchanged.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path
from typing import Any

SETS = ["samples", "korquad"]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="command", required=True)
    samples = sub.add_parser("samples", help="ingest samples/, ask every question (end to end)")
    samples.add_argument("--llm", help="LLM name or GGUF path (default: the configured one)")
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
    for command in (samples, retrieval, tokenizers, speed, ingest):
        command.add_argument("--out", type=Path, default=Path("eval/reports"))
    for command in (samples, retrieval):
        command.add_argument("--store-dir", type=Path, help="keep the eval store here")
    args = parser.parse_args()

    if getattr(args, "llm", None):
        os.environ["KDOCQA_LLM_MODEL"] = args.llm
    summary = _run(args)
    print(json.dumps(summary, ensure_ascii=False, indent=2))


def _run(args: argparse.Namespace) -> dict[str, Any]:
    from retrieval.embedding import load_embedder
    from retrieval.settings import RetrievalSettings

    if args.command == "tokenizers":
        from eval import tokenizer_eval

        return tokenizer_eval.run(load_embedder(), args.set, args.out)
    if args.command == "speed":
        from eval import speed_bench

        return speed_bench.run(load_embedder(), args.sizes, args.out)
    if args.command == "ingest":
        from eval import ingest_bench

        return ingest_bench.run(load_embedder(), args.files, args.out, args.parse_only)

    from app.services import Services
    from app.settings import AppSettings
    from eval import retrieval_eval, samples_eval

    models = RetrievalSettings().models_dir.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = args.store_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        if not (data_dir / "models").exists():
            (data_dir / "models").symlink_to(models)
        services = Services(retrieval=RetrievalSettings(data_dir=data_dir), app=AppSettings())
        try:
            if args.command == "samples":
                return samples_eval.run(services, args.out)
            return retrieval_eval.run(services, args.set, args.out)
        finally:
            services.close()


if __name__ == "__main__":
    main()
