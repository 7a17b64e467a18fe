"""Measure ``llm-atlas catalog candidates`` on a store: leave-one-out recall and hand-judged precision.

    .venv/bin/python scripts/candidates_eval.py [--data-dir data] [--catalog-dir catalog] [--min-papers 5]
        [--top 100] [--judged tests/fixtures/catalog/candidates_top100.tsv] [--json] [--write-top FILE]

- **Leave-one-out recall**: for every catalog model linked to at least ``--min-papers`` stored papers, remove its
  file and its aliases from an in-memory copy of the catalog, run the candidates, and count the model found when
  one of the ``--top`` best candidates is named by one of its aliases (by the linker's whole-name rules).
  A harder variant removes the model's whole family too (the family's entry and all its models), as for a model
  of a family the catalog has never heard of: then the name must show itself a model without the family's help.
- **Precision**: the share of the current ``--top`` candidates that the judged file (tab-separated ``name``,
  ``judgement`` = ``model`` or ``not``, ``why``; other columns ignored) calls a language model. A top candidate the
  file lacks is listed and counted as unjudged, so the figure is only reported when every one is judged.
- ``--write-top FILE`` writes the current top candidates as a TSV to judge (name, empty judgement, evidence).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from tracker.knowledge.candidates import Candidate, extract_mentions, find_candidates
from tracker.knowledge.catalog import Catalog, load_catalog
from tracker.knowledge.linking import alias_pattern, link_papers_to_models
from tracker.store import PaperStore

REPO = Path(__file__).resolve().parent.parent


def without(catalog: Catalog, model_id: str, whole_family: bool = False) -> Catalog:
    """The catalog less one model (its file and with it its aliases), or less its whole family, in memory."""
    family = catalog.models[model_id].family
    gone = {mid for mid, m in catalog.models.items() if mid == model_id or (whole_family and m.family == family)}
    models = {mid: model for mid, model in catalog.models.items() if mid not in gone}
    paths = {mid: path for mid, path in catalog.paths.items() if mid not in gone}
    families = {fid: f for fid, f in catalog.families.items() if not (whole_family and fid == family)}
    return Catalog(families, models, paths)


def named_by(candidate: Candidate, aliases: list[str]) -> bool:
    patterns = [alias_pattern(alias) for alias in aliases]
    return any(pattern.search(name) for pattern in patterns for name in [candidate.name, *candidate.variants])


def read_judged(path: Path) -> dict[str, tuple[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["name"]: (row["judgement"], row["why"]) for row in csv.DictReader(handle, delimiter="\t")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    parser.add_argument("--catalog-dir", type=Path, default=REPO / "catalog")
    parser.add_argument("--min-papers", type=int, default=5)
    parser.add_argument("--top", type=int, default=100)
    parser.add_argument("--judged", type=Path, default=REPO / "tests/fixtures/catalog/candidates_top100.tsv")
    parser.add_argument("--write-top", type=Path, help="write the top candidates as a TSV to judge")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    papers = list(PaperStore(args.data_dir))
    catalog = load_catalog(args.catalog_dir)
    mentions = extract_mentions(papers)

    linked: dict[str, set[str]] = {}
    for paper_id, links in link_papers_to_models(papers, catalog).items():
        for link in links:
            linked.setdefault(link.model, set()).add(paper_id)
    held_out = sorted((mid for mid, ids in linked.items() if len(ids) >= args.min_papers),
                      key=lambda mid: (-len(linked[mid]), mid))
    leave_one_out: list[dict[str, object]] = []
    found = found_family = 0
    for model_id in held_out:
        aliases = catalog.models[model_id].aliases
        row: dict[str, object] = {"model": model_id, "papers": len(linked[model_id])}
        for label, whole_family in (("", False), ("family_out_", True)):
            report = find_candidates(papers, without(catalog, model_id, whole_family), mentions=mentions)
            hit = next((c for c in report.candidates if named_by(c, aliases)), None)
            row[label + "rank"] = hit.rank if hit else None
            row[label + "as"] = hit.name if hit else None
        leave_one_out.append(row)
        found += row["rank"] is not None and int(str(row["rank"])) <= args.top
        found_family += row["family_out_rank"] is not None and int(str(row["family_out_rank"])) <= args.top
        print(f"  {model_id:<22} {len(linked[model_id]):>3} papers  rank {row['rank']} as {row['as']!r}; "
              f"family out too: rank {row['family_out_rank']}", file=sys.stderr)
    recall = found / len(leave_one_out) if leave_one_out else 0.0
    recall_family = found_family / len(leave_one_out) if leave_one_out else 0.0

    top = find_candidates(papers, catalog, mentions=mentions).candidates[: args.top]
    if args.write_top:
        with args.write_top.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter="\t", lineterminator="\n")
            writer.writerow(["name", "judgement", "why"])
            for candidate in top:
                writer.writerow([candidate.name, "", candidate.evidence[0][1] if candidate.evidence else ""])
    judged = read_judged(args.judged) if args.judged.exists() else {}
    unjudged = [c.name for c in top if c.name not in judged]
    models = sum(1 for c in top if judged.get(c.name, ("",))[0] == "model")
    precision = models / len(top) if top and not unjudged else None

    result = {
        "papers": len(papers), "held_out_models": len(leave_one_out), "found_in_top": found, "top": args.top,
        "leave_one_out_recall": round(recall, 3), "family_out_recall": round(recall_family, 3),
        "precision_top": round(precision, 3) if precision is not None else None,
        "judged_models": models, "unjudged": unjudged, "leave_one_out": leave_one_out,
    }
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"leave-one-out recall: {found}/{len(leave_one_out)} = {recall:.3f} (catalog models linked in "
              f">= {args.min_papers} of {len(papers)} papers, found among the top {args.top})")
        print(f"with the whole family out too: {found_family}/{len(leave_one_out)} = {recall_family:.3f}")
        if precision is not None:
            print(f"precision of the top {len(top)}: {models}/{len(top)} = {precision:.3f} (judged in {args.judged})")
        else:
            print(f"precision: {len(unjudged)} of the top {len(top)} are not judged yet: {unjudged}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
