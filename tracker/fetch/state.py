"""The tracker's own files under ``<data-dir>/tracker/``: where the last window ended, what was already seen,
and one manifest per run.

* ``state.json``: the last successful window. The next run starts ``overlap_days`` before its end.
* ``ledger/YYYY-Www.tsv``: papers fetched and *rejected* by the relevance filter (``id<TAB>version``),
  sharded by the ISO week in which they were first seen, kept ``ledger_days``. Accepted papers need no
  ledger: the store is their record. Together they make the overlap harmless: a paper seen before at the
  same version is counted as seen, not assessed, stored or counted again. Weekly shards mean a run
  rewrites only the current week's file and deletes whole old ones, so git sees small diffs.
* ``runs/YYYY/<start>.json``: the run manifest (window, counts, ids new and updated, skipped entries,
  errors, duration). Keys sorted, no float noise; one small new file per run by nature.

Every file is replaced atomically (``tracker.atomic``); a crash leaves the previous version in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tracker.atomic import write_if_changed
from tracker.errors import InputError
from tracker.settings import ledger_dir, runs_dir, tracker_dir
from tracker.weeks import week_end, week_of

STATE_VERSION = 1


@dataclass
class TrackerState:
    """Where the last successful window ended (inclusive)."""

    last_until: date | None = None
    last_since: date | None = None

    @classmethod
    def load(cls, data_dir: Path) -> TrackerState:
        path = tracker_dir(data_dir) / "state.json"
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            window = data["last_window"]
            return cls(last_since=date.fromisoformat(window["since"]), last_until=date.fromisoformat(window["until"]))
        except (ValueError, KeyError, TypeError) as error:
            raise InputError(path, f"unreadable tracker state ({type(error).__name__}: {error}); "
                                   "delete it to start from the default window") from None

    def save(self, data_dir: Path) -> bool:
        if self.last_until is None or self.last_since is None:
            return False
        data = {"format": STATE_VERSION,
                "last_window": {"since": self.last_since.isoformat(), "until": self.last_until.isoformat()}}
        path = tracker_dir(data_dir) / "state.json"
        return write_if_changed(path, (json.dumps(data, indent=2, sort_keys=True) + "\n").encode())


@dataclass
class Ledger:
    """Papers seen and rejected, by ISO week of first sight: ``{week: {id: version}}``."""

    data_dir: Path
    weeks: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return ledger_dir(self.data_dir)

    @classmethod
    def load(cls, data_dir: Path) -> Ledger:
        ledger = cls(Path(data_dir))
        if not ledger.folder.exists():
            return ledger
        for path in sorted(ledger.folder.glob("*-W[0-9][0-9].tsv")):
            entries: dict[str, int] = {}
            with path.open(encoding="utf-8") as handle:
                for line_no, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    try:
                        paper_id, version = line.rstrip("\n").split("\t")
                        entries[paper_id] = int(version)
                    except ValueError:
                        raise InputError(path, "expected 'id<TAB>version'", line_no) from None
            ledger.weeks[path.stem] = entries
        return ledger

    def seen_version(self, paper_id: str) -> int | None:
        versions = [week[paper_id] for week in self.weeks.values() if paper_id in week]
        return max(versions) if versions else None

    def add(self, paper_id: str, version: int, day: date) -> None:
        if (self.seen_version(paper_id) or 0) >= version:
            return
        self.weeks.setdefault(week_of(day), {})[paper_id] = version

    def prune(self, today: date, keep_days: int) -> None:
        """Forget weeks that ended more than ``keep_days`` before ``today``."""
        horizon = today - timedelta(days=keep_days)
        for key in list(self.weeks):
            if week_end(key) < horizon:
                del self.weeks[key]

    def save(self) -> list[Path]:
        touched = []
        for key, entries in sorted(self.weeks.items()):
            if not entries:
                continue
            body = "".join(f"{pid}\t{entries[pid]}\n" for pid in sorted(entries))
            path = self.folder / f"{key}.tsv"
            if write_if_changed(path, body.encode()):
                touched.append(path)
        if self.folder.exists():
            for path in self.folder.glob("*-W[0-9][0-9].tsv"):
                if path.stem not in self.weeks:
                    path.unlink()
                    touched.append(path)
        return touched


def write_manifest(data_dir: Path, started: datetime, manifest: dict[str, Any]) -> Path:
    """``runs/YYYY/YYYY-MM-DDTHHMMSSZ.json``: one per run, sorted keys, written atomically."""
    folder = runs_dir(data_dir) / f"{started:%Y}"
    path = folder / f"{started:%Y-%m-%dT%H%M%SZ}.json"
    suffix = 1
    while path.exists():  # two runs in one second: keep both
        suffix += 1
        path = folder / f"{started:%Y-%m-%dT%H%M%SZ}-{suffix}.json"
    write_if_changed(path, (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode())
    return path
