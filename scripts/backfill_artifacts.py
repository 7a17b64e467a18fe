"""Extract every stored paper's artifacts again (tracker/artifacts.py) and rewrite the shards whose bytes change.

Reading the store takes each record's artifacts as stored (tracker.paper.STORED); run this after changing the
extractor, so the store says what the extractor now finds. Only the ``artifacts`` field changes (titles and
abstracts, whose hash keys the vectors, are untouched); shards are written by the store's own atomic writer, only
when their bytes change, so a second run writes nothing.

    .venv/bin/python scripts/backfill_artifacts.py [--data-dir data]
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from tracker.artifacts import extract_artifacts
from tracker.store import PaperStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=Path(__file__).resolve().parent.parent / "data")
    args = parser.parse_args()
    store = PaperStore(args.data_dir)
    papers = store.papers
    changed = 0
    kinds: Counter[str] = Counter()
    for paper_id in sorted(papers):
        paper = papers[paper_id]
        fresh = extract_artifacts(paper.abstract, paper.comment)
        kinds.update({artifact.kind for artifact in fresh} | ({"any"} if fresh else set()))
        if fresh != paper.artifacts:
            papers[paper_id] = paper.model_copy(update={"artifacts": fresh})
            changed += 1
    written = store.save()
    print(f"{len(papers)} papers, {changed} with new artifacts, {len(written)} shards written; papers with "
          + ", ".join(f"{kind} {kinds[kind]}" for kind in ("any", "code", "weights", "data", "project")))


if __name__ == "__main__":
    main()
