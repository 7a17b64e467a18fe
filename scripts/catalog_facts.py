"""Count the catalog's models per family and its number-valued facts: sourced, unknown, from Epoch AI.

    .venv/bin/python scripts/catalog_facts.py [--catalog-dir catalog] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from tracker.knowledge.catalog import EPOCH_AI_URL, load_catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--catalog-dir", type=Path, default=Path(__file__).resolve().parent.parent / "catalog")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    catalog = load_catalog(args.catalog_dir)
    per_family = {family: len(models) for family, models in catalog.by_family().items()}
    facts: Counter[str] = Counter()
    by_field: dict[str, Counter[str]] = {}
    for model in catalog.models.values():
        for field, value, source in model.sourced_numbers():
            field = field.split(".")[0] if field.startswith("benchmarks.") else field
            kind = "unknown" if value == "unknown" else "epoch" if source == EPOCH_AI_URL else "sourced"
            facts[kind] += 1
            by_field.setdefault(field, Counter())[kind] += 1
    report = {
        "models": len(catalog.models), "families": len(catalog.families), "per_family": per_family,
        "facts": {"sourced": facts["sourced"] + facts["epoch"], "of_which_epoch_ai": facts["epoch"],
                  "unknown": facts["unknown"]},
        "by_field": {field: dict(counts) for field, counts in sorted(by_field.items())},
        "with_benchmarks": sum(1 for m in catalog.models.values() if m.benchmarks),
        "with_base_model": sum(1 for m in catalog.models.values() if m.base_model),
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['models']} models in {report['families']} families")
    for family, count in per_family.items():
        print(f"  {family:<11} {count}")
    f = report["facts"]
    print(f"number facts: {f['sourced']} with a source ({f['of_which_epoch_ai']} from Epoch AI), "
          f"{f['unknown']} unknown")
    for field, counts in report["by_field"].items():
        known = counts.get("sourced", 0) + counts.get("epoch", 0)
        print(f"  {field:<32} sourced {known:>3}  unknown {counts.get('unknown', 0):>3}")
    print(f"models with benchmarks: {report['with_benchmarks']}; with a base model: {report['with_base_model']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
