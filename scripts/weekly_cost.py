"""What a weekly `llm-atlas update` asks of arXiv, from the tracker's paging/spacing rules and a real weekly volume.

Usage: .venv/bin/python scripts/weekly_cost.py CORPUS.jsonl.gz [--config tracker.toml]
       [--from 2026-03-02 --to 2026-06-28]

The volume is the number of corpus papers per ISO week (by first listing day) in any of the configured
categories. One weekly run reads 7 days plus ``overlap_days`` of the API window, one page of ``page_size``
entries per request, plus one listing-feed request; requests are ``delay_seconds`` apart. The corpus is a
curated listing (cs.CV/cs.CL/cs.AI-centred), so cs.LG-only papers are missing: read the result as a lower
bound, and see the table for larger volumes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

from tracker.fetch.config import load_tracker_config


def requests_for(papers: int, page_size: int, queries: int, feed: bool) -> int:
    # arxiv.Client pages until the total is reached; an empty window still costs one request per query
    return queries * max(1, math.ceil(papers / page_size)) + (1 if feed else 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--from", dest="start", default="2026-03-02")
    parser.add_argument("--to", dest="end", default="2026-06-28")
    args = parser.parse_args()
    config = load_tracker_config(args.config, Path(__file__).resolve().parent.parent)
    wanted = set(config.categories)
    start, end = date.fromisoformat(args.start), date.fromisoformat(args.end)
    weeks: Counter[tuple[int, int]] = Counter()
    with gzip.open(args.corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            seen = record.get("first_seen_file_date")
            if not seen or not start <= date.fromisoformat(seen) <= end:
                continue
            if wanted & set(record["categories"]):
                weeks[date.fromisoformat(seen).isocalendar()[:2]] += 1
    volumes = sorted(weeks.values())
    queries = (1 if config.categories else 0) + len(config.queries)
    span = (7 + config.overlap_days) / 7
    print(f"{len(volumes)} weeks, {', '.join(config.categories)}: papers/week min {volumes[0]}, "
          f"median {statistics.median(volumes):.0f}, max {volumes[-1]}")
    print(f"page_size {config.page_size}, delay {config.delay_seconds:g} s, window 7+{config.overlap_days} days, "
          f"feed {'on' if config.use_feed else 'off'}")
    print("| papers/week | read per run | requests | seconds of spacing |")
    print("| --- | --- | --- | --- |")
    rows = [("min", volumes[0]), ("median", int(statistics.median(volumes))), ("max", volumes[-1])]
    rows += [("assumed", v) for v in (3000, 6000)]
    for label, volume in rows:
        read = math.ceil(volume * span)
        count = requests_for(read, config.page_size, queries, config.use_feed)
        print(f"| {volume} ({label}) | {read} | {count} | {(count - 1) * config.delay_seconds:.0f} |")


if __name__ == "__main__":
    main()
