"""Measure the paper → model linker on the labelled set in tests/fixtures/linking/.

    .venv/bin/python scripts/linking_eval.py [--catalog-dir catalog] [--errors] [--json]

Prints precision and recall for model-level links, family-level links and both; ``--errors`` lists the
false positives and misses with the labeller's reason.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from tracker.importer import read_papers
from tracker.knowledge.catalog import load_catalog
from tracker.knowledge.linking import ModelLinker, predicted_targets, score_links

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "linking"


def load_labels(path: Path) -> tuple[dict[tuple[str, str], bool], dict[tuple[str, str], str]]:
    labels: dict[tuple[str, str], bool] = {}
    reasons: dict[tuple[str, str], str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        row = json.loads(line)
        if row["target"] is None:
            continue
        key = (row["paper"], row["target"])
        if key in labels:
            raise SystemExit(f"error: {path}:{number}: {key} is labelled twice")
        labels[key] = bool(row["label"])
        reasons[key] = row["why"]
    return labels, reasons


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog-dir", type=Path, default=Path(__file__).resolve().parent.parent / "catalog")
    parser.add_argument("--errors", action="store_true", help="list false positives and misses")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    papers = list(read_papers(FIXTURES / "papers.jsonl"))
    labels, reasons = load_labels(FIXTURES / "labels.jsonl")
    linker = ModelLinker(load_catalog(args.catalog_dir))
    scores = score_links(linker, papers, labels)
    if args.json:
        print(json.dumps({"papers": len(papers), "decisions": len(labels),
                          "scores": {k: v.as_dict() for k, v in scores.items()}}, indent=2))
    else:
        print(f"{len(papers)} papers, {len(labels)} labelled decisions "
              f"({sum(labels.values())} right, {len(labels) - sum(labels.values())} wrong)")
        for level, score in scores.items():
            print(f"{level:>6}: precision {score.precision:.3f}  recall {score.recall:.3f}  "
                  f"(tp {score.true_positives}, fp {score.false_positives}, fn {score.false_negatives}, "
                  f"unlabelled {len(score.unlabelled)})")
    if args.errors:
        predicted = {(p.id, t) for p in papers for t in predicted_targets(linker, p)}
        for key, right in sorted(labels.items()):
            if right and key not in predicted:
                print(f"miss  {key[0]} {key[1]}: {reasons[key]}", file=sys.stderr)
            if not right and key in predicted:
                print(f"wrong {key[0]} {key[1]}: {reasons[key]}", file=sys.stderr)
        for key in sorted(predicted - set(labels)):
            print(f"unlabelled {key[0]} {key[1]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
