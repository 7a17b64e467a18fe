"""Print the rows of Epoch AI's notable-models table whose name matches a pattern, to check catalog facts.

    .venv/bin/python scripts/epoch_lookup.py "Llama 2" [--csv PATH] [--exact] [--fields Parameters,...]
    .venv/bin/python scripts/epoch_lookup.py --extract NAMES_FILE --out tests/fixtures/catalog/epoch_rows.csv

Data: Epoch AI (epochai.org), CC BY 4.0. The default table is the project's shared copy.
``--extract`` writes only the named rows (one exact model name per line in NAMES_FILE), columns unchanged,
so tests can cross-check the catalog against the rows it cites without the whole 1.7 MB file.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

from tracker.knowledge.epoch_check import read_epoch_csv

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
DEFAULT_CSV = SHARED / "data/catalog/epoch_notable_ai_models_2025-02-24.csv"
DEFAULT_FIELDS = [
    "Model", "Organization", "Publication date", "Link", "Parameters", "Parameters notes",
    "Training dataset size (datapoints)", "Dataset size notes", "Training compute (FLOP)", "Base model",
    "Model accessibility",
]


def read_rows(path: Path) -> list[dict[str, str]]:
    """The table's rows, read (and its columns checked) as ``llm-atlas catalog check-epoch`` reads them."""
    return read_epoch_csv(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pattern", nargs="?", help="regular expression matched against the Model column")
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--exact", action="store_true", help="the pattern is the exact model name")
    parser.add_argument("--fields", default=",".join(DEFAULT_FIELDS), help="comma-separated columns to print")
    parser.add_argument("--extract", type=Path, help="file of exact model names, one a line")
    parser.add_argument("--out", type=Path, help="with --extract: where to write the selected rows")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"error: {args.csv}: no such file (pass --csv)", file=sys.stderr)
        return 1
    rows = read_rows(args.csv)
    if args.extract:
        names = [line.strip() for line in args.extract.read_text().splitlines() if line.strip()]
        by_name = {row["Model"]: row for row in rows}
        missing = [name for name in names if name not in by_name]
        if missing:
            print(f"error: not in the Epoch table: {missing}", file=sys.stderr)
            return 1
        out = args.out.open("w", newline="", encoding="utf-8") if args.out else sys.stdout
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()), lineterminator="\n")
        writer.writeheader()
        for name in sorted(set(names)):
            writer.writerow(by_name[name])
        if args.out:
            out.close()
            print(f"wrote {len(set(names))} rows to {args.out}", file=sys.stderr)
        return 0
    if not args.pattern:
        parser.error("give a pattern or --extract")
    fields = [f.strip() for f in args.fields.split(",") if f.strip()]
    matcher = re.compile(re.escape(args.pattern) + "$" if args.exact else args.pattern, re.IGNORECASE)
    hits = [row for row in rows if (matcher.match(row["Model"]) if args.exact else matcher.search(row["Model"]))]
    for row in hits:
        for field in fields:
            value = row.get(field, "")
            if value:
                print(f"{field}: {' '.join(value.split())[:400]}")
        print("---")
    print(f"{len(hits)} rows (Data: Epoch AI (epochai.org))", file=sys.stderr)
    return 0 if hits else 1


if __name__ == "__main__":
    sys.exit(main())
