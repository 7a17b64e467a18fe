"""``PaperStore``: the git-friendly paper store, ``<data-dir>/papers/YYYY/MM.jsonl``.

One JSON object per line, sorted by id, sharded by month of first submission. Every shard is replaced
atomically and only when its bytes change, so an update with nothing new touches no file and a crash
leaves each shard either old or new, always loadable.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from tracker.atomic import write_if_changed
from tracker.errors import InputError, StoreError
from tracker.paper import STORED, Paper
from tracker.settings import papers_dir


@dataclass
class UpsertResult:
    """What an upsert did: ids added, ids replaced by a newer version or fresher record, ids unchanged."""

    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {"new": len(self.new), "updated": len(self.updated), "unchanged": len(self.unchanged)}


def format_validation_error(error: ValidationError) -> str:
    """One line: ``field: message`` for the first problem, plus how many more there are."""
    problems = error.errors()
    first = problems[0]
    where = ".".join(str(part) for part in first["loc"]) or "record"
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{where}: {first['msg']}{more}"


def parse_store_line(path: Path, line_no: int, line: str) -> Paper:
    try:
        return Paper.model_validate_json(line, context=STORED)
    except ValidationError as error:
        raise InputError(path, format_validation_error(error), line_no) from None


def newer(incoming: Paper, existing: Paper) -> bool:
    """Whether ``incoming`` should replace ``existing``: a higher version, the same version re-fetched later,
    or the API's record of a paper known so far only from a listing feed."""
    if existing.provisional and not incoming.provisional and incoming.version >= existing.version:
        return True
    if incoming.version != existing.version:
        return incoming.version > existing.version
    return incoming != existing and incoming.updated >= existing.updated


def merge_history(incoming: Paper, existing: Paper) -> Paper:
    """Keep the version history of both records, and the earliest first-submission date.

    A provisional record (from a feed: announcement dates) gives way whole to the API's."""
    if existing.provisional and not incoming.provisional:
        return incoming
    history = {record.version: record for record in existing.versions}
    history.update({record.version: record for record in incoming.versions})
    published = min(incoming.published, existing.published)
    return incoming.model_copy(
        update={"versions": [history[v] for v in sorted(history)], "published": published}
    )


class PaperStore:
    """The papers under ``<data_dir>/papers``, loaded into memory, saved shard by shard."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.papers_dir = papers_dir(self.data_dir)
        self._papers: dict[str, Paper] | None = None

    # -- reading -----------------------------------------------------------------------------------
    def shard_paths(self) -> list[Path]:
        if not self.papers_dir.exists():
            return []
        return sorted(self.papers_dir.glob("[0-9][0-9][0-9][0-9]/[0-9][0-9].jsonl"))

    def _load(self) -> dict[str, Paper]:
        papers: dict[str, Paper] = {}
        seen_in: dict[str, Path] = {}
        for path in self.shard_paths():
            with path.open(encoding="utf-8") as handle:
                for line_no, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    paper = parse_store_line(path, line_no, line)
                    existing = papers.get(paper.id)
                    if existing is None:
                        papers[paper.id] = paper
                        seen_in[paper.id] = path
                    elif seen_in[paper.id] == path:
                        raise InputError(path, f"paper {paper.id} is stored twice", line_no)
                    elif newer(paper, existing):
                        # left behind by a crash while a paper moved shard: the newer record wins
                        papers[paper.id] = paper
        return papers

    @property
    def papers(self) -> dict[str, Paper]:
        if self._papers is None:
            self._papers = self._load()
        return self._papers

    def __len__(self) -> int:
        return len(self.papers)

    def __iter__(self) -> Iterator[Paper]:
        for paper_id in sorted(self.papers):
            yield self.papers[paper_id]

    def __contains__(self, paper_id: object) -> bool:
        return paper_id in self.papers

    def get(self, paper_id: str) -> Paper | None:
        return self.papers.get(paper_id)

    # -- writing -----------------------------------------------------------------------------------
    def upsert(self, incoming: Iterable[Paper]) -> UpsertResult:
        """Add papers, keeping the newest version of each id; call ``save()`` to write them."""
        result = UpsertResult()
        papers = self.papers
        for paper in incoming:
            existing = papers.get(paper.id)
            if existing is None:
                papers[paper.id] = paper
                result.new.append(paper.id)
            elif newer(paper, existing):
                papers[paper.id] = merge_history(paper, existing)
                result.updated.append(paper.id)
            else:
                result.unchanged.append(paper.id)
        return result

    def render_shards(self) -> dict[Path, bytes]:
        """The exact bytes of every shard file for the papers in memory."""
        by_month: dict[str, list[Paper]] = {}
        for paper in self.papers.values():
            by_month.setdefault(paper.month, []).append(paper)
        shards: dict[Path, bytes] = {}
        for month, papers in by_month.items():
            year, mon = month.split("-")
            lines = [p.to_json_line() for p in sorted(papers, key=lambda p: p.id)]
            shards[self.papers_dir / year / f"{mon}.jsonl"] = ("\n".join(lines) + "\n").encode("utf-8")
        return shards

    def save(self) -> list[Path]:
        """Write the shards whose bytes changed (each atomically); return the paths written or removed."""
        if self._papers is None:
            return []
        shards = self.render_shards()
        touched: list[Path] = []
        with self.lock():
            for path in sorted(shards):
                if write_if_changed(path, shards[path]):
                    touched.append(path)
            # A paper whose first-submission date was corrected moves shard; drop emptied shards last,
            # so a crash before this point leaves a duplicate (harmless: load keeps one) never a loss.
            for path in self.shard_paths():
                if path not in shards:
                    path.unlink()
                    touched.append(path)
        return touched

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An exclusive lock on the store, so two writers never interleave."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.data_dir / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise StoreError(f"{self.data_dir}: another llm-atlas process is writing the store") from None
            yield
        finally:
            os.close(fd)
