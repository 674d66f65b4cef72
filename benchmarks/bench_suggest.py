"""Recall and precision of `kg suggest` on the curated articles, per kind.

Usage:
    python benchmarks/bench_suggest.py                      # texts from KG_TEXTS or ../shared/seeds
    python benchmarks/bench_suggest.py --texts DIR --with-registry

Each article whose text is found is run through `kg suggest`; its curated facts are the
answer key (see graph/suggest/evaluate.py for what counts as covered and as wrong). By
default the registry entities that only this article uses are removed first, as if the
article were new; --with-registry keeps the whole registry. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.suggest.evaluate import evaluate, table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--texts", type=Path, default=Path(os.environ.get("KG_TEXTS", ROOT.parent / "shared" / "seeds"))
    )
    parser.add_argument("--with-registry", action="store_true", help="keep the whole registry")
    parser.add_argument("--details", action="store_true", help="list what was missed and what was wrong")
    args = parser.parse_args()
    scores = evaluate(ROOT, args.texts, leave_out=not args.with_registry)
    print(
        f"{len(scores)} articles; registry {'complete' if args.with_registry else 'without what only the article uses'}"
    )
    print(table(scores))
    if args.details:
        for source, per_kind in scores.items():
            for kind, score in per_kind.items():
                for item in score.missed:
                    print(f"{source} {kind} MISSED {item}")
                for item in score.wrongs:
                    print(f"{source} {kind} WRONG {item}")


if __name__ == "__main__":
    main()
