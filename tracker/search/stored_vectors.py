"""The store's own search vectors: committed beside the papers, so a fresh clone embeds nothing.

Embedding the bundled store takes ~10 minutes on two cores, and every clone, every CI run and every fork's
first weekly run did it again although the result is the same each time (the store is versioned, the model
pinned, and a paper's text only changes with a new arXiv version). So the vectors are versioned too:

- ``<data>/vectors/YYYY/YYYY-Www.tsv`` + ``.i16``: the papers first listed in that ISO week (``published``),
  sorted by id. The ``.tsv`` is text (so the weekly diff names the papers): a header line, then one line a
  paper, ``id<TAB>text hash``. The ``.i16`` holds their vectors, one row a line of the ``.tsv``: 384 int16
  codes and one float32 scale (vector = codes x scale), little-endian, 772 bytes a paper. A week's files are
  written when its papers are first stored (and again only when one of them gets a new text or the week is
  re-embedded), so git history grows by the vectors' size, not by rewrites.
- The header names the **fingerprint** of the model that made the vectors (model + search adapter hash +
  ONNX export recipe: the embedder's name), the dimension, the dtype, the row count and the sha256 of the
  ``.i16``. The ``.tsv`` is written after the ``.i16``, so a crash between the two is caught by the checksum.
- A vector is used only when its file is whole (checksum), its fingerprint is the embedder's and its text
  hash is the paper's text hash now. Anything else (missing, truncated, another model, a changed abstract)
  is embedded again and said so; nothing wrong is ever used.

Why int16 with a scale per vector: measured on the bundled store (``scripts/measure_vector_precision.py``,
README "Vectors in the store"), the 20 "More like this" papers stay the same, in the same order, for 99.4 %
of papers (float16, at the same 768 bytes: 94.8 %; int8 with a scale: 22 %), and nDCG@10 does not move on
the evaluation sets. Every index uses the stored (rounded) vectors, whether they came from the store or were
embedded a moment ago, so an index built on a fresh clone and one built where the papers were embedded are
the same.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tracker.atomic import atomic_write_bytes
from tracker.paper import Paper
from tracker.settings import stored_vectors_dir
from tracker.weeks import week_of

FORMAT = "llm-atlas vectors 1"
DTYPE = "int16+scale"
TABLE_SUFFIX = ".tsv"
VECTORS_SUFFIX = ".i16"
_LIMIT = 32767


def _row_dtype(dimension: int) -> np.dtype:
    return np.dtype([("codes", "<i2", (dimension,)), ("scale", "<f4")])


def encode_rows(vectors: np.ndarray) -> np.ndarray:
    """int16 codes and one float32 scale per vector (max |x| maps to 32767), as a packed record array."""
    matrix = np.asarray(vectors, dtype=np.float32)
    peak = np.abs(matrix).max(axis=1) if matrix.size else np.zeros(len(matrix), np.float32)
    scales = np.where(peak > 0, peak / np.float32(_LIMIT), np.float32(1.0)).astype(np.float32)
    rows = np.zeros(len(matrix), dtype=_row_dtype(matrix.shape[1]))
    rows["codes"] = np.clip(np.rint(matrix / scales[:, None]), -_LIMIT, _LIMIT).astype(np.int16)
    rows["scale"] = scales
    return rows


def decode_rows(rows: np.ndarray) -> np.ndarray:
    return (rows["codes"].astype(np.float32) * rows["scale"][:, None]).astype(np.float32)


def as_stored(vectors: np.ndarray) -> np.ndarray:
    """The vectors as the store keeps them (int16 + scale), back in float32: what every index computes with."""
    matrix = np.asarray(vectors, dtype=np.float32)
    return decode_rows(encode_rows(matrix.reshape(len(matrix), -1)))


def week_stem(paper: Paper) -> str:
    """``2026/2026-W24``: the file stem (without suffix) of the paper's week of first listing."""
    week = week_of(paper.published)
    return f"{week[:4]}/{week}"


class OtherModelError(ValueError):
    """A week file made by another model: whole, but not for this embedder (reported once, not per file)."""

    def __init__(self, path: Path, model: str, expected: str) -> None:
        super().__init__(f"{path}: vectors of another model ({model}, not {expected})")
        self.model = model


@dataclass
class WeekFile:
    """One week's vectors as read from disk: ``rows[id] = (text hash, row)`` into ``vectors``."""

    stem: str
    model: str
    rows: dict[str, tuple[str, int]]
    vectors: np.ndarray


@dataclass
class VectorLookup:
    """What the store could give for a list of papers, and why the rest must be embedded."""

    found: dict[str, np.ndarray] = field(default_factory=dict)  # paper id -> float32 vector
    stale: list[str] = field(default_factory=list)  # ids whose stored vector is for another text
    missing: list[str] = field(default_factory=list)  # ids with no stored vector (no file, or not in it)
    problems: list[str] = field(default_factory=list)  # one line per unusable file, naming it
    other_models: list[str] = field(default_factory=list)  # the model of each week file made by another model

    def counts(self) -> dict[str, int]:
        return {"from_store": len(self.found), "stale": len(self.stale), "missing": len(self.missing)}


class StoredVectors:
    """The vector files of one data folder, for one model fingerprint."""

    def __init__(self, data_dir: Path, model: str, dimension: int) -> None:
        self.root = stored_vectors_dir(data_dir)
        self.model = model
        self.dimension = dimension

    def _paths(self, stem: str) -> tuple[Path, Path]:
        return self.root / f"{stem}{TABLE_SUFFIX}", self.root / f"{stem}{VECTORS_SUFFIX}"

    def stems(self) -> list[str]:
        """Every week with a table on disk (``YYYY/YYYY-Www``), sorted."""
        if not self.root.is_dir():
            return []
        return sorted(str(path.relative_to(self.root).with_suffix("")) for path in self.root.glob(f"*/*{TABLE_SUFFIX}"))

    def read_week(self, stem: str) -> WeekFile:
        """The week's file, checked whole; raises ``ValueError`` naming the file and what is wrong."""
        table_path, vectors_path = self._paths(stem)
        try:
            lines = table_path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            raise ValueError(f"{table_path}: missing") from None
        except UnicodeDecodeError:
            raise ValueError(f"{table_path}: not UTF-8 text") from None
        try:
            header = json.loads(lines[0].removeprefix("# ")) if lines else None
        except json.JSONDecodeError:
            header = None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise ValueError(f"{table_path}: line 1 is not a '{FORMAT}' header")
        if header.get("model") != self.model:
            raise OtherModelError(table_path, str(header.get("model")), self.model)
        if header.get("dtype") != DTYPE or header.get("dimension") != self.dimension:
            raise ValueError(f"{table_path}: {header.get('dtype')} x {header.get('dimension')}, "
                             f"not {DTYPE} x {self.dimension}")
        body = lines[1:]
        if len(body) != header.get("count"):
            raise ValueError(f"{table_path}: {len(body)} rows, the header says {header.get('count')}")
        try:
            data = vectors_path.read_bytes()
        except FileNotFoundError:
            raise ValueError(f"{vectors_path}: missing") from None
        row_dtype = _row_dtype(self.dimension)
        expected = len(body) * row_dtype.itemsize
        if len(data) != expected:
            raise ValueError(f"{vectors_path}: {len(data)} bytes, {expected} expected (truncated or overwritten)")
        if hashlib.sha256(data).hexdigest() != header.get("sha256"):
            raise ValueError(f"{vectors_path}: checksum differs from {table_path.name}'s (written apart?)")
        rows: dict[str, tuple[str, int]] = {}
        for number, line in enumerate(body, start=2):
            paper_id, _, text_hash = line.partition("\t")
            if not paper_id or not text_hash:
                raise ValueError(f"{table_path}:{number}: expected 'id<TAB>text hash'")
            rows[paper_id] = (text_hash, number - 2)
        vectors = decode_rows(np.frombuffer(data, dtype=row_dtype))
        return WeekFile(stem, self.model, rows, vectors)

    def lookup(self, papers: Sequence[Paper]) -> VectorLookup:
        """The stored vectors of ``papers`` that are whole, of this model and of the paper's current text."""
        result = VectorLookup()
        by_week: dict[str, list[Paper]] = defaultdict(list)
        for paper in papers:
            by_week[week_stem(paper)].append(paper)
        for stem in sorted(by_week):
            week = by_week[stem]
            table_path, _ = self._paths(stem)
            if not table_path.exists():
                result.missing.extend(p.id for p in week)
                continue
            try:
                loaded = self.read_week(stem)
            except OtherModelError as other:
                result.other_models.append(other.model)
                result.missing.extend(p.id for p in week)
                continue
            except ValueError as problem:
                result.problems.append(str(problem))
                result.missing.extend(p.id for p in week)
                continue
            for paper in week:
                entry = loaded.rows.get(paper.id)
                if entry is None:
                    result.missing.append(paper.id)
                elif entry[0] != paper.text_hash:
                    result.stale.append(paper.id)
                else:
                    result.found[paper.id] = loaded.vectors[entry[1]]
        return result

    def write(self, papers: Iterable[Paper], vectors: dict[str, np.ndarray],
              log: Callable[[str], Any] | None = None) -> list[Path]:
        """Write every week whose papers or vectors differ from its files; drop weeks with no paper left.

        ``vectors`` maps each paper id to its vector (any float dtype; stored as int16 + scale). Files whose bytes
        would not change are left alone, so a run with nothing new writes nothing.
        """
        by_week: dict[str, list[Paper]] = defaultdict(list)
        for paper in papers:
            by_week[week_stem(paper)].append(paper)
        written: list[Path] = []
        for stem in sorted(by_week):
            week = sorted(by_week[stem], key=lambda p: p.id)
            data = encode_rows(np.stack([np.asarray(vectors[p.id], dtype=np.float32) for p in week])).tobytes()
            header = {"format": FORMAT, "model": self.model, "dtype": DTYPE, "dimension": self.dimension,
                      "count": len(week), "sha256": hashlib.sha256(data).hexdigest()}
            table = "# " + json.dumps(header, sort_keys=True) + "\n"
            table += "".join(f"{p.id}\t{p.text_hash}\n" for p in week)
            table_path, vectors_path = self._paths(stem)
            if _same_bytes(vectors_path, data) and _same_bytes(table_path, table.encode("utf-8")):
                continue
            # vectors first, table last: the table's checksum vouches for the vectors beside it
            atomic_write_bytes(vectors_path, data)
            atomic_write_bytes(table_path, table.encode("utf-8"))
            written += [table_path, vectors_path]
        for stem in self.stems():
            if stem not in by_week:
                for path in self._paths(stem):
                    path.unlink(missing_ok=True)
                if log:
                    log(f"{self.root / stem}: no stored paper is listed in that week any more; removed")
        return written


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() == data
    except FileNotFoundError:
        return False
