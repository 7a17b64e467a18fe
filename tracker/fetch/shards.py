"""Backfill across several runners: split a window into shards, then merge the shards' stores.

A year of arXiv takes longer than one CI job may run (and arXiv wants one request every 3 s), so a
backfill is split into ``n`` contiguous sub-windows. Each shard job runs ``llm-atlas update --since
--until`` for its own sub-window into its own data folder and hands its ``papers/`` over; one merge job
then reads every shard's store lines and upserts them into the main store.

The merge must not depend on the order the shard artifacts arrive in, so every record from every shard
is put in one canonical order before the upsert (the store's own rules then pick the same winner for an
id seen twice, whatever the order of the shards), and the store writes sorted shards.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tracker.errors import AtlasError, InputError
from tracker.paper import Paper
from tracker.store import PaperStore, UpsertResult, parse_store_line

_SHARD_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class ShardError(AtlasError):
    """A shard specification or a window that cannot be split as asked."""


@dataclass(frozen=True)
class ShardWindow:
    """Shard ``index`` of ``count`` (1-based): first submission dates ``since`` … ``until``, both included."""

    index: int
    count: int
    since: date
    until: date

    @property
    def name(self) -> str:
        return f"{self.index}/{self.count}"

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def as_dict(self) -> dict[str, Any]:
        return {"shard": self.name, "index": self.index, "of": self.count, "since": self.since.isoformat(),
                "until": self.until.isoformat(), "days": self.days}


def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` → ``(2, 4)``; anything else is a ``ShardError`` naming what was given."""
    match = _SHARD_RE.match(text)
    if not match:
        raise ShardError(f"--shard: expected I/N such as 2/4, not {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ShardError(f"--shard: {text!r} is not a shard of 1..N (I must be between 1 and N)")
    return index, count


def split_window(since: date, until: date, count: int) -> list[ShardWindow]:
    """``count`` contiguous sub-windows covering every day of ``since … until`` exactly once.

    Sizes differ by at most one day; the earlier shards take the spare days, so the split is a pure
    function of its arguments (every shard job computes the same windows on its own).
    """
    if until < since:
        raise ShardError(f"window: --until {until} is before --since {since}")
    days = (until - since).days + 1
    if count < 1:
        raise ShardError(f"--shards: must be at least 1, not {count}")
    if count > days:
        raise ShardError(f"--shards: {count} shards for a window of {days} day(s); a shard needs at least one day")
    base, spare = divmod(days, count)
    windows: list[ShardWindow] = []
    start = since
    for index in range(1, count + 1):
        length = base + (1 if index <= spare else 0)
        end = start + timedelta(days=length - 1)
        windows.append(ShardWindow(index=index, count=count, since=start, until=end))
        start = end + timedelta(days=1)
    return windows


def shard_window(since: date, until: date, shard: str) -> ShardWindow:
    """The sub-window of one ``I/N`` shard."""
    index, count = parse_shard(shard)
    return split_window(since, until, count)[index - 1]


def slice_files(source: Path) -> list[Path]:
    """The store files of one shard: a ``.jsonl`` file, or a shard's data folder (its ``papers/YYYY/MM.jsonl``).

    A shard whose window held no LLM paper has no ``papers/`` at all: that is an empty shard, not an error.
    """
    source = Path(source)
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise InputError(source, "no such file or folder")
    papers = source / "papers"
    if papers.is_dir():
        return sorted(papers.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9].jsonl"))
    return sorted(path for path in source.rglob("*.jsonl") if path.is_file())


def read_store_lines(path: Path) -> list[Paper]:
    """A shard file holds store lines only; a bad one is an ``InputError`` naming the file, line and field."""
    papers: list[Paper] = []
    try:
        with path.open(encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                if line.strip():
                    papers.append(parse_store_line(path, line_no, line))
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(path, f"cannot read file: {error}") from None
    return papers


def canonical_order(papers: Iterable[Paper]) -> list[Paper]:
    """Every record in one total order that does not depend on where it came from."""
    return sorted(papers, key=lambda p: (p.id, p.version, p.updated, p.to_json_line()))


def merge_slices(store: PaperStore, sources: list[Path]) -> tuple[UpsertResult, int]:
    """Upsert the papers of every shard into ``store`` and save it; returns (what changed, records read).

    Every file is read and checked before anything is stored, so a bad line in any shard leaves the
    store as it was.
    """
    records: list[Paper] = []
    for source in sources:
        for path in slice_files(source):
            records.extend(read_store_lines(path))
    result = store.upsert(canonical_order(records))
    store.save()
    return result, len(records)
