"""python -m eval samples [--llm NAME] | python -m eval retrieval [--set samples korquad]

Each run indexes into a fresh temporary store, with the models of the configured data directory.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="command", required=True)
    samples = sub.add_parser("samples", help="ingest samples/, ask every question (end to end)")
    samples.add_argument("--llm", help="LLM name or GGUF path (default: the configured one)")
    retrieval = sub.add_parser("retrieval", help="recall/MRR/nDCG of dense, sparse and hybrid")
    retrieval.add_argument(
        "--set", nargs="+", default=["samples", "korquad"], choices=["samples", "korquad"]
    )
    for command in (samples, retrieval):
        command.add_argument("--out", type=Path, default=Path("eval/reports"))
    args = parser.parse_args()

    if getattr(args, "llm", None):
        os.environ["KDOCQA_LLM_MODEL"] = args.llm
    from app.services import Services
    from app.settings import AppSettings
    from eval import retrieval_eval, samples_eval
    from retrieval.settings import RetrievalSettings

    models = RetrievalSettings().models_dir.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "models").symlink_to(models)
        services = Services(retrieval=RetrievalSettings(data_dir=Path(tmp)), app=AppSettings())
        try:
            if args.command == "samples":
                summary = samples_eval.run(services, args.out)
            else:
                summary = retrieval_eval.run(services, args.set, args.out)
        finally:
            services.close()
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
