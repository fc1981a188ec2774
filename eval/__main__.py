"""python -m eval samples [--data-dir DIR] [--out eval/reports]"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m eval")
    sub = parser.add_subparsers(dest="command", required=True)
    samples = sub.add_parser(
        "samples", help="ingest samples/ into a fresh store, ask every question"
    )
    samples.add_argument("--out", type=Path, default=Path("eval/reports"))
    samples.add_argument("--llm", help="LLM name or GGUF path (default: the configured one)")
    args = parser.parse_args()

    if args.llm:
        os.environ["KDOCQA_LLM_MODEL"] = args.llm
    from app.services import Services
    from app.settings import AppSettings
    from eval import samples_eval
    from retrieval.settings import RetrievalSettings

    retrieval = RetrievalSettings()
    with tempfile.TemporaryDirectory() as tmp:
        # A fresh store each run, models from the configured data directory.
        retrieval = retrieval.model_copy(update={"data_dir": Path(tmp)})
        (Path(tmp) / "models").symlink_to(RetrievalSettings().models_dir.resolve())
        services = Services(retrieval=retrieval, app=AppSettings())
        try:
            summary = samples_eval.run(services, args.out)
        finally:
            services.close()
    print(json.dumps(summary, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
