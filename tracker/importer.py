"""Bulk import: read papers from a file in any of the three formats we know.

* Kaggle's arXiv metadata snapshot (``id, title, abstract, authors, categories, versions, update_date``)
* the shared corpus of daily listings (``id, title, summary, authors, categories, comment``; the date is
  ``first_seen_file_date`` or the ``YYYY-MM-DD`` in the file's name: the corpus has no submission date)
* this store's own lines.

A file is parsed completely before anything is stored, so a bad line leaves the store untouched.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from tracker.errors import InputError
from tracker.paper import Paper, VersionRecord, split_arxiv_id
from tracker.store import format_validation_error

_DATE_IN_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})")


def open_text(path: Path) -> TextIO:
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def detect_format(record: dict[str, Any]) -> str:
    if "summary" in record:
        return "corpus"
    if "versions" in record and "update_date" in record:
        return "kaggle"
    if "abstract" in record and "published" in record:
        return "store"
    raise ValueError("unknown record format (expected Kaggle snapshot, shared corpus or store fields)")


def _split_categories(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    # The corpus sometimes carries ACM classes ("I.7.5; I.2.1") among categories: keep arXiv ones only.
    return [c for c in value if re.match(r"^[a-z\-]+(\.[A-Za-z\-]+)?$", c)]


def _kaggle_authors(record: dict[str, Any]) -> list[str]:
    parsed = record.get("authors_parsed")
    if parsed:
        return [" ".join(part for part in (first, last, *rest) if part).strip() for last, first, *rest in parsed]
    text = re.sub(r"\s+", " ", record["authors"])
    return [a.strip() for a in re.split(r",\s*|\s+and\s+", text) if a.strip()]


def _kaggle_paper(record: dict[str, Any]) -> Paper:
    versions = [
        VersionRecord(version=int(v["version"].lstrip("v")), date=parsedate_to_datetime(v["created"]).date())
        for v in record["versions"]
    ]
    versions.sort(key=lambda v: v.version)
    paper_id, _ = split_arxiv_id(record["id"])
    return Paper(
        id=paper_id,
        version=versions[-1].version,
        title=record["title"],
        abstract=record["abstract"],
        authors=_kaggle_authors(record),
        categories=_split_categories(record["categories"]),
        published=versions[0].date,
        updated=versions[-1].date,
        comment=record.get("comments") or None,
        doi=record.get("doi") or None,
        journal_ref=record.get("journal-ref") or None,
        versions=versions,
    )


def _corpus_paper(record: dict[str, Any], file_date: date | None) -> Paper:
    seen = record.get("first_seen_file_date")
    when = date.fromisoformat(seen) if seen else file_date
    if when is None:
        raise ValueError("no date: neither first_seen_file_date nor a YYYY-MM-DD in the file name")
    paper_id, version = split_arxiv_id(record["id"])
    return Paper(
        id=paper_id,
        version=version or 1,
        title=record["title"],
        abstract=record["summary"],
        authors=list(record["authors"]),
        categories=_split_categories(record["categories"]),
        published=when,
        updated=when,
        comment=record.get("comment") or None,
    )


def parse_record(record: dict[str, Any], file_date: date | None = None) -> Paper:
    kind = detect_format(record)
    if kind == "kaggle":
        return _kaggle_paper(record)
    if kind == "corpus":
        return _corpus_paper(record, file_date)
    return Paper.model_validate(record)


def read_papers(path: Path) -> Iterator[Paper]:
    """Yield every paper in ``path``; a bad line raises ``InputError`` naming the file and line."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    match = _DATE_IN_NAME.search(path.name)
    file_date = date.fromisoformat(match.group(1)) if match else None
    try:
        with open_text(path) as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    if not isinstance(record, dict):
                        raise ValueError("a line must hold one JSON object")
                    yield parse_record(record, file_date)
                except ValidationError as error:
                    raise InputError(path, format_validation_error(error), line_no) from None
                except json.JSONDecodeError as error:
                    raise InputError(path, f"not valid JSON ({error.msg}, column {error.colno})", line_no) from None
                except KeyError as error:
                    raise InputError(path, f"missing field {error.args[0]!r}", line_no) from None
                except (ValueError, TypeError) as error:
                    raise InputError(path, str(error), line_no) from None
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, OSError) as error:
        raise InputError(path, f"cannot read file: {error}") from None


def parse_date(value: str) -> date:
    """``YYYY-MM-DD`` (or ``YYYY-MM`` meaning the first of the month) for command-line options."""
    for fmt in ("%Y-%m-%d", "%Y-%m"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")
