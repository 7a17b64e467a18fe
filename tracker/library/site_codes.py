"""The For-you page's paper vectors: "codes by row" files, written into the search bundle and read back here.

The search page's inverted lists (``l/`` files) hold papers by list, so reading the newest weeks' papers from
them would mean reading every list. These files hold the same codes by site row (papers in (date, id) order),
``ROW_CHUNK`` rows a file, so the newest weeks are a few consecutive files and a library's papers cost one file
per 256 rows they fall in. Layout and ranking: ``tracker.library.site_rank`` (the page's contract).

``codes_bundle`` makes the files and the manifest's ``"codes"`` entry (``tracker.site.search_bundle`` writes
them beside the other search files); ``SiteCodes`` reads them, from a written bundle (``from_bundle``) or from
the same bytes made in memory (``from_site``: ``llm-atlas recommend --method site``), and counts the files read.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from tracker.library import site_rank
from tracker.search.compact import dequantise
from tracker.search.site_index import SiteIndex
from tracker.weeks import week_of, weeks_between

KIND = "r"  # the files' folder in the bundle: r/<chunk>.<hash>.gz


def _gz(blob: bytes) -> bytes:
    return gzip.compress(blob, 9, mtime=0)


def _hash(blob: bytes) -> str:
    """The bundle's content hash of a file (``tracker.site.search_bundle._hash``): 8 hex chars of sha256."""
    return hashlib.sha256(blob).hexdigest()[:8]


def chunk_name(number: int, hashes: str) -> str:
    return f"{KIND}/{number}.{hashes[8 * number : 8 * number + 8]}.gz"


def row_lists(site: SiteIndex) -> np.ndarray:
    """The inverted list of every site row."""
    out = np.zeros(len(site.ids), dtype=np.int64)
    lists = site.lists
    for number in range(len(lists)):
        out[lists.members[lists.offsets[number] : lists.offsets[number + 1]]] = number
    return out


def week_ranges(dates: Sequence[str]) -> list[list[Any]]:
    """``[[ISO week, first row, end row], ...]`` for every calendar week from the first row's to the last's
    (a week without papers has first == end), so "the newest 4 weeks" is always 4 calendar weeks."""
    if not dates:
        return []
    weeks = [week_of(date.fromisoformat(d)) for d in dates]
    out: list[list[Any]] = []
    row = 0
    for week in weeks_between(weeks[0], weeks[-1]):
        first = row
        while row < len(weeks) and weeks[row] == week:
            row += 1
        out.append([week, first, row])
    return out


def codes_bundle(site: SiteIndex, dates: Sequence[str]) -> tuple[dict[str, bytes], dict[str, Any]]:
    """The codes files (gzipped, by bundle name) and the manifest's ``"codes"`` entry; ``dates``: ISO date of
    each site row."""
    if len(dates) != len(site.ids):
        raise ValueError(f"{len(dates)} dates for {len(site.ids)} site rows")
    lists = row_lists(site)
    files: dict[str, bytes] = {}
    hashes = ""
    for number, start in enumerate(range(0, len(site.ids), site_rank.ROW_CHUNK)):
        end = start + site_rank.ROW_CHUNK
        packed = _gz(site_rank.encode_rows(lists[start:end], site.codes[start:end]))
        hashes += _hash(packed)
        files[chunk_name(number, hashes)] = packed
    entry = {"chunk": site_rank.ROW_CHUNK, "row_bytes": site_rank.row_bytes(site.pq.subspaces), "hashes": hashes,
             "residual_scale": site_rank.RESIDUAL_SCALE, "method": site_rank.METHOD, "topk": site_rank.TOPK,
             "weeks": week_ranges(dates)}
    return files, entry


def _unpack_int8_scales(blob: bytes, rows: int, width: int) -> np.ndarray:
    """A ``centroids``/``codebook`` file (int8 codes, padded to 4 bytes, then float32 scales), dequantised."""
    size = rows * width
    codes = np.frombuffer(blob, dtype=np.int8, count=size).reshape(rows, width)
    start = size + (-size % 4)
    scales = np.frombuffer(blob, dtype="<f4", count=rows, offset=start).astype(np.float32)
    return dequantise(codes, scales)


class SiteCodes:
    """The page's view of paper vectors: centroids, codebooks, week ranges, and codes files read on demand."""

    def __init__(self, centroids: np.ndarray, codebooks: np.ndarray, entry: dict[str, Any], papers: int,
                 read: Callable[[str], bytes]) -> None:
        self.centroids = np.asarray(centroids, dtype=np.float32)
        self.codebooks = np.asarray(codebooks, dtype=np.float32)
        self.weeks: list[list[Any]] = entry["weeks"]
        self.hashes: str = entry["hashes"]
        self.papers = papers
        self.residual_scale = float(entry.get("residual_scale", site_rank.RESIDUAL_SCALE))
        self._read = read
        self._chunks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        if entry["chunk"] != site_rank.ROW_CHUNK or entry["row_bytes"] != site_rank.row_bytes(self.subspaces):
            raise ValueError(f"codes files of {entry['chunk']} rows of {entry['row_bytes']} bytes: this reader "
                             f"expects {site_rank.ROW_CHUNK} rows of {site_rank.row_bytes(self.subspaces)}")

    @property
    def subspaces(self) -> int:
        return int(self.codebooks.shape[0])

    @property
    def fetched(self) -> list[int]:
        """The codes files read so far (chunk numbers): what the page would have downloaded."""
        return sorted(self._chunks)

    def chunk(self, number: int) -> tuple[np.ndarray, np.ndarray]:
        if number not in self._chunks:
            self._chunks[number] = site_rank.decode_rows(self._read(chunk_name(number, self.hashes)), self.subspaces)
        return self._chunks[number]

    def vectors(self, rows: Sequence[int] | np.ndarray, residual_scale: float | None = None) -> np.ndarray:
        """float32 (len(rows), rank): each row's site vector (``site_rank.site_vectors``; ``residual_scale``
        other than the manifest's: for the evaluation's settings grid)."""
        rows = np.asarray(rows, dtype=np.int64).reshape(-1)
        if len(rows) and (rows.min() < 0 or rows.max() >= self.papers):
            raise IndexError(f"site rows run from 0 to {self.papers - 1}")
        lists = np.zeros(len(rows), dtype=np.int64)
        codes = np.zeros((len(rows), self.subspaces), dtype=np.uint8)
        for number in site_rank.chunks_of(rows):
            chunk_lists, chunk_codes = self.chunk(number)
            at = np.flatnonzero(rows // site_rank.ROW_CHUNK == number)
            lists[at] = chunk_lists[rows[at] - number * site_rank.ROW_CHUNK]
            codes[at] = chunk_codes[rows[at] - number * site_rank.ROW_CHUNK]
        scale = self.residual_scale if residual_scale is None else residual_scale
        return site_rank.site_vectors(lists, codes, self.centroids, self.codebooks, scale)

    @classmethod
    def from_site(cls, site: SiteIndex, dates: Sequence[str]) -> SiteCodes:
        """The bundle's codes files made in memory from the site index: the bytes the page downloads."""
        files, entry = codes_bundle(site, dates)
        return cls(site.lists.centroids, site.pq.codebooks, entry, len(site.ids), files.__getitem__)

    @classmethod
    def from_bundle(cls, folder: Path) -> SiteCodes:
        """A written search bundle (``docs/generated/search/`` or ``site/search/…``), read as the page reads it."""
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if "codes" not in manifest:
            raise ValueError(f"{folder}/manifest.json lists no codes files (a bundle written before For you)")
        lists, subspaces = manifest["lists"]["count"], manifest["lists"]["subspaces"]
        rank, pieces = manifest["encoder"]["rank"], manifest["lists"]["pieces"]

        def read(name: str) -> bytes:
            return gzip.decompress((folder / name).read_bytes())

        centroids = _unpack_int8_scales(read(manifest["files"]["centroids"]), lists, rank)
        books = _unpack_int8_scales(read(manifest["files"]["codebook"]), subspaces, pieces * rank // subspaces)
        return cls(centroids, books.reshape(subspaces, pieces, rank // subspaces), manifest["codes"],
                   manifest["papers"], read)

