"""``llm-atlas recommend``: the store's newest papers ranked by meaning against a reader's library.

1. The library file is read (``tracker.library.reader``) and resolved against the search index: a paper in the
   index brings its vector; one the store has but the index lacks (a stale index), or one only the BibTeX
   knows with a title and an abstract, is embedded from its text (the search embedder, loaded only then); an id
   with neither is reported and left out. No usable paper: one line naming the file, exit 1.
2. Candidates are the store's papers of the window (default: its newest ``WEEKS`` ISO weeks, the newest
   partial week included; ``--since/--until``; or all time), less the library's own.
3. They are ranked by a method of ``tracker.library.methods`` (or ``site``: the For-you page's ranking,
   ``tracker.library.site_rank``, on the codes it downloads) and each result names the library papers it is
   closest to (``because``).

Only the store's shards that the window and the library fall in are read, not the whole store: a cold
``recommend`` stays within ~1 s at the bundled size (README "For you").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from tracker.errors import AtlasError, InputError
from tracker.library import DEFAULT_METHOD, METHODS, methods, site_rank
from tracker.library.reader import Library, read_library
from tracker.library.site_codes import SiteCodes
from tracker.paper import Paper
from tracker.search.index import PaperIndex, top_rows
from tracker.search.site_search import store_site_index
from tracker.store import PaperStore, parse_store_line
from tracker.weeks import week_of, week_start

SITE = "site"
WEEKS = site_rank.WEEKS


@dataclass(frozen=True)
class Window:
    """Papers first listed from ``since`` to ``until`` (both included; None: open)."""

    since: date | None = None
    until: date | None = None

    def accepts(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)

    def describe(self) -> str:
        if self.since is None and self.until is None:
            return "all time"
        return f"{self.since or 'the first paper'} … {self.until or 'the newest paper'}"


def newest_weeks(newest: date, weeks: int = WEEKS) -> Window:
    """The ``weeks`` ISO weeks ending with ``newest``'s (the newest may be partial)."""
    return Window(week_start(week_of(newest)) - timedelta(days=7 * (weeks - 1)), None)


class StoreReader:
    """The store's papers read shard by shard (a month each), only the shards asked for, and each paper parsed
    only when asked for: a line's id and date are read without parsing it (the store writes ``id`` first and
    ``"published":"YYYY-MM-DD"`` as it is), so a window of thousands of papers costs milliseconds."""

    def __init__(self, store: PaperStore) -> None:
        self.store = store
        self.shards = {f"{p.parent.name}-{p.stem}": p for p in store.shard_paths()}  # "YYYY-MM" -> path
        self._lines: dict[str, tuple[Path, int, str]] = {}
        self._dates: dict[str, date] = {}
        self._papers: dict[str, Paper] = {}
        self._read: set[str] = set()

    def months(self) -> list[str]:
        return sorted(self.shards)

    def read_months(self, months: Iterable[str]) -> None:
        for month in sorted(set(months) - self._read):
            path = self.shards.get(month)
            self._read.add(month)
            if path is None:
                continue
            with path.open(encoding="utf-8") as handle:
                for line_no, line in enumerate(handle, start=1):
                    if not line.strip():
                        continue
                    found = _LINE_ID.match(line), _LINE_DATE.search(line)
                    if found[0] and found[1]:
                        paper_id, day = found[0].group(1), date.fromisoformat(found[1].group(1))
                    else:  # not the writer's layout (a hand-edited line): parse it whole
                        paper = parse_store_line(path, line_no, line)
                        paper_id, day = paper.id, paper.published
                        self._papers[paper_id] = paper
                    self._lines[paper_id] = (path, line_no, line)
                    self._dates[paper_id] = day

    def paper(self, paper_id: str) -> Paper:
        """A paper of a shard already read, parsed (and checked) now."""
        if paper_id not in self._papers:
            path, line_no, line = self._lines[paper_id]
            self._papers[paper_id] = parse_store_line(path, line_no, line)
        return self._papers[paper_id]

    def newest(self) -> date | None:
        for month in reversed(self.months()):
            self.read_months([month])
            dates = [d for d in self._dates.values() if d.strftime("%Y-%m") == month]
            if dates:
                return max(dates)
        return None

    def published(self) -> dict[str, str]:
        """Every stored paper's ISO date (reads the whole store: the site's rows are ordered by them)."""
        self.read_months(self.months())
        return {paper_id: day.isoformat() for paper_id, day in self._dates.items()}

    def in_window(self, window: Window) -> list[str]:
        """The ids of the stored papers first listed in the window, in id order."""
        first = window.since.strftime("%Y-%m") if window.since else ""
        last = window.until.strftime("%Y-%m") if window.until else "9999-99"
        self.read_months(m for m in self.months() if first <= m <= last)
        return sorted(i for i, day in self._dates.items() if window.accepts(day))

    def date(self, paper_id: str) -> date | None:
        return self._dates.get(paper_id)

    def find(self, paper_ids: Sequence[str]) -> set[str]:
        """Which of ``paper_ids`` the store has: each looked for in the months its id names first (an id's month
        or the next: a paper is listed a day or so after it is submitted), then in the whole store."""
        self.read_months(m for i in paper_ids for m in _id_months(i))
        if any(i not in self._lines for i in paper_ids):
            self.read_months(self.months())
        return {i for i in paper_ids if i in self._lines}

    def get(self, paper_ids: Sequence[str]) -> dict[str, Paper]:
        """The stored papers among ``paper_ids``, parsed."""
        return {i: self.paper(i) for i in paper_ids if i in self.find(paper_ids)}


_LINE_ID = re.compile(r'\{"id":"([^"\\]+)"')
# inside a title or abstract a quote is escaped (\"), so an unescaped "published":" is the field itself
_LINE_DATE = re.compile(r'"published":"(\d{4}-\d{2}-\d{2})"')


def _id_months(paper_id: str) -> list[str]:
    digits = paper_id.split("/")[-1][:4]
    if not digits.isdigit():
        return []
    year, month = 2000 + int(digits[:2]) if int(digits[:2]) < 91 else 1900 + int(digits[:2]), int(digits[2:])
    if not 1 <= month <= 12:
        return []
    after = (year + month // 12, month % 12 + 1)
    return [f"{year:04d}-{month:02d}", f"{after[0]:04d}-{after[1]:02d}"]


@dataclass
class LibraryVectors:
    """The usable papers of a library: names (arXiv id, else BibTeX key), unit vectors and dates; the text of the
    papers only the file knows (the store's are read from the store when a ranking needs them)."""

    names: list[str]
    vectors: np.ndarray  # float32 (papers, 384), unit length
    dates: list[date | None]
    file_texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (title, abstract)
    embedded: list[str] = field(default_factory=list)  # embedded now from their text
    missing: list[str] = field(default_factory=list)  # ids left out: not in the store, no abstract

    def __len__(self) -> int:
        return len(self.names)

    def text(self, reader: StoreReader, name: str) -> tuple[str, str]:
        if name in self.file_texts:
            return self.file_texts[name]
        paper = reader.paper(name)
        return paper.title, paper.abstract

    def texts(self, reader: StoreReader) -> list[tuple[str, str]]:
        return [self.text(reader, name) for name in self.names]

    def ages_days(self) -> np.ndarray:
        """Days before the library's newest paper (a paper with no date counts as new)."""
        known = [d for d in self.dates if d is not None]
        newest = max(known) if known else None
        return np.array([(newest - d).days if newest and d else 0 for d in self.dates], dtype=np.float64)


def resolve(library: Library, index: PaperIndex, reader: StoreReader,
            embed: Callable[[list[str]], np.ndarray]) -> LibraryVectors:
    """The library's vectors: from the index, else embedded from the store's or the BibTeX's text."""
    stored = reader.find(library.ids)
    papers = LibraryVectors([], np.zeros((0, 0), dtype=np.float32), [])
    rows: list[np.ndarray | None] = []
    to_embed: list[int] = []
    for entry in library.entries:
        in_store = entry.id is not None and entry.id in stored
        if in_store:
            vector = index.vector(entry.name)
        elif entry.has_text:
            vector = None
            papers.file_texts[entry.name] = (entry.title, entry.abstract)
        else:
            papers.missing.append(entry.name)
            continue
        if vector is None:
            to_embed.append(len(papers.names))
        papers.names.append(entry.name)
        papers.dates.append(reader.date(entry.name) if in_store else None)
        rows.append(vector)
    if not papers.names:
        missing = papers.missing
        sample = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        raise InputError(library.path, f"no usable paper in the library: {len(missing)} arXiv ids not in the "
                         f"store and no abstract to embed them from ({sample})")
    if to_embed:
        texts = [papers.text(reader, papers.names[i]) for i in to_embed]
        fresh = embed([f"{title}. {abstract}" for title, abstract in texts])
        for i, vector in zip(to_embed, fresh, strict=True):
            rows[i] = vector
        papers.embedded = [papers.names[i] for i in to_embed]
    papers.vectors = methods.unit_rows(np.stack([np.asarray(r, dtype=np.float32) for r in rows]))
    return papers


@dataclass
class Recommendation:
    paper: Paper
    score: float
    because: list[str]  # library names (arXiv ids, or BibTeX keys of papers the store lacks)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.paper.id, "title": self.paper.title, "score": round(self.score, 6),
                "because": self.because}


@dataclass
class RecommendResult:
    library: Library
    papers: LibraryVectors
    window: Window
    method: str
    candidates: int
    items: list[Recommendation]
    titles: dict[str, str]  # library name -> title, for the reasons shown
    warnings: list[str] = field(default_factory=list)


def window_for(reader: StoreReader, since: date | None, until: date | None, weeks: int | None) -> Window:
    """``--since/--until`` when given; else the newest ``weeks`` weeks (of ``until``'s week when only it is
    given); ``weeks=None``: all time."""
    if since is not None:
        return Window(since, until or reader.newest())
    if weeks is None:
        return Window(None, until)
    newest = until or reader.newest()
    if newest is None:
        return Window(None, until)
    return Window(newest_weeks(newest, weeks).since, newest)


def recommend(path: Path, store: PaperStore, index: PaperIndex, k: int = 10, method: str = DEFAULT_METHOD,
              since: date | None = None, until: date | None = None, weeks: int | None = WEEKS,
              embed: Callable[[list[str]], np.ndarray] | None = None,
              settings: methods.MethodSettings = methods.DEFAULT_SETTINGS,
              site: Any = None) -> RecommendResult:
    """Rank the window's papers against the library at ``path``.

    ``embed`` (texts -> vectors) embeds library papers the index lacks; ``site`` (a ``SiteIndex``) is built from
    the index when ``method`` is ``site`` and none is given."""
    if method not in METHODS:
        raise AtlasError(f"unknown method {method!r}; one of {', '.join(METHODS)}")
    library = read_library(path)
    reader = StoreReader(store)
    papers = resolve(library, index, reader, embed or _no_embedder)
    window = window_for(reader, since, until, weeks)
    own = set(papers.names)
    in_window = [i for i in reader.in_window(window) if i not in own]
    warnings = list(library.warnings)
    if papers.missing:
        shown = ", ".join(papers.missing[:10]) + (" …" if len(papers.missing) > 10 else "")
        warnings.append(f"{path}: {plural(len(papers.missing), 'paper')} not in the store and without an abstract, "
                        f"left out: {shown}")
    if papers.embedded:
        warnings.append(f"{path}: {plural(len(papers.embedded), 'paper')} embedded from their title and abstract "
                        "(not in the index)")
    if method == SITE:
        items = _site_ranking(site, index, reader, papers, in_window, k, warnings)
    else:
        items = _exact_ranking(method, index, reader, papers, in_window, k, settings, warnings)
    titles = {name: papers.text(reader, name)[0] for item in items for name in item.because}
    return RecommendResult(library, papers, window, method, len(in_window), items, titles, warnings)


def _no_embedder(texts: list[str]) -> np.ndarray:
    raise AtlasError(f"{len(texts)} library papers need embedding, and no embedder was given")


def _exact_ranking(method: str, index: PaperIndex, reader: StoreReader, papers: LibraryVectors,
                   in_window: list[str], k: int, settings: methods.MethodSettings,
                   warnings: list[str]) -> list[Recommendation]:
    rows = [index.position.get(i) for i in in_window]
    unindexed = sum(1 for r in rows if r is None)
    if unindexed:
        warnings.append(f"{unindexed} papers of the window are not in the search index, left out; run "
                        "`llm-atlas index`")
    kept = [p for p, r in zip(in_window, rows, strict=True) if r is not None]
    vectors = index.vectors[[r for r in rows if r is not None]]
    if method == "mix":
        ranked = methods.mix_ranking(vectors, papers.vectors, k, settings)
    else:
        if method == "bm25":
            everything = methods.bm25_scores(index.lexical, papers.texts(reader))
            scores = everything[[index.position[i] for i in kept]]
        else:
            scores = methods.vector_scores(method, vectors, papers.vectors, papers.ages_days(), settings)
        ranked = [(int(i), float(scores[i])) for i in top_rows(scores, k)]
    return [Recommendation(reader.paper(kept[i]), score,
                           [papers.names[j] for j in methods.because(vectors[i], papers.vectors, settings.because)])
            for i, score in ranked]


def _site_ranking(site: Any, index: PaperIndex, reader: StoreReader, papers: LibraryVectors,
                  in_window: list[str], k: int, warnings: list[str]) -> list[Recommendation]:
    """The page's ranking: site vectors of the window's rows and the library's rows, from the codes files."""
    if site is None:
        published = reader.published()
        site = store_site_index(index, published)
        dates = [published.get(i, "") for i in site.ids]
    else:
        published = reader.published()
        dates = [published[i] for i in site.ids]
    codes = SiteCodes.from_site(site, dates)
    row_of = {paper_id: row for row, paper_id in enumerate(site.ids)}
    library_rows = np.array([row_of[n] for n in papers.names if n in row_of], dtype=np.int64)
    if not len(library_rows):
        raise AtlasError("none of the library's papers is among the site's papers: the page cannot rank for it")
    if len(library_rows) < len(papers):
        warnings.append(f"{plural(len(papers) - len(library_rows), 'library paper')} not among the site's papers "
                        "(the page has no vector for them), left out of --method site")
    window_rows = np.array(sorted(row_of[i] for i in in_window if i in row_of), dtype=np.int64)
    ranked = site_rank.rank(window_rows, codes.vectors(window_rows), library_rows, codes.vectors(library_rows), k)
    return [Recommendation(reader.paper(site.ids[r.row]), r.score, [site.ids[b] for b in r.because])
            for r in ranked]


def summary(result: RecommendResult) -> str:
    """One line for stderr: what was read and what was ranked."""
    papers = result.papers
    notes = []
    if papers.embedded:
        notes.append(f"{len(papers.embedded)} embedded from their abstracts")
    if papers.missing:
        notes.append(f"{len(papers.missing)} left out")
    extra = f" ({', '.join(notes)})" if notes else ""
    return (f"{result.library.path}: {plural(len(papers), 'library paper')}{extra}; ranked "
            f"{plural(result.candidates, 'paper')} of {result.window.describe()} by {result.method}")


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def text_lines(result: RecommendResult, width: int = 90) -> list[str]:
    """The ranked list for a terminal: rank, score, id, date, title, then the library papers it is close to."""
    lines = []
    for rank, item in enumerate(result.items, start=1):
        p = item.paper
        lines.append(f"{rank:>2}. {item.score:.3f}  {p.id}  {p.published}  {p.title}")
        reasons = "; ".join(f"{name} {_cut(result.titles.get(name, ''), width // 2)}".strip() for name in item.because)
        lines.append(f"      close to your: {reasons}")
    return lines


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
